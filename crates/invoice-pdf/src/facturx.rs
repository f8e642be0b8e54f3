//! Factur-X / ZUGFeRD: the invoice PDF turned into a PDF/A-3 that carries its CII XML.
//!
//! printpdf cannot attach files, so the rendered PDF is post-processed with lopdf (FIELD-NOTES.md):
//! the XML becomes an embedded file named `factur-x.xml` whose file specification says how it relates
//! to the document (`/AFRelationship /Data`) and is listed in the catalog's `/AF` array and `/Names`
//! tree; XMP metadata declares PDF/A-3B and the Factur-X extension schema (document type, file name,
//! version, conformance level); an sRGB output intent gives the colours a meaning; and the trailer gets
//! the document `/ID` that PDF/A requires.

use lopdf::{Document, Object, Stream, StringFormat, dictionary};

/// The sRGB ICC profile of the output intent (icc/LICENSE.txt).
const SRGB: &[u8] = include_bytes!("../icc/sRGB.icc");

/// What the XMP metadata says about the document.
#[derive(Clone, Debug)]
pub struct FacturXMeta<'a> {
    /// The document title, e.g. "Invoice RE-2026-001".
    pub title: &'a str,
    /// The seller (the document's author).
    pub author: &'a str,
    /// When it was made, as an ISO 8601 date-time with offset, e.g. `2026-11-20T00:00:00+00:00`.
    pub created: &'a str,
    /// The Factur-X conformance level: `EN 16931` for our profile.
    pub level: &'a str,
}

/// Why embedding failed (only for a PDF that lopdf cannot read, which our renderer never makes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot make the Factur-X PDF: {0}")]
pub struct FacturXError(String);

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmp(meta: &FacturXMeta) -> String {
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>Stint</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>Stint</xmp:CreatorTool>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{created}</xmp:ModifyDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The name of the embedded XML document</pdfaProperty:description></rdf:li>
        <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The type of the hybrid document in capital letters, e.g. INVOICE or ORDER</pdfaProperty:description></rdf:li>
        <rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The actual version of the standard applying to the embedded XML document</pdfaProperty:description></rdf:li>
        <rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The conformance level of the embedded XML document</pdfaProperty:description></rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>{level}</fx:ConformanceLevel>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        title = xml_escape(meta.title),
        author = xml_escape(meta.author),
        created = xml_escape(meta.created),
        level = xml_escape(meta.level),
    )
}

/// `D:20261120000000+00'00'` from an ISO date-time with offset.
fn pdf_date(iso: &str) -> String {
    let digits: String = iso.chars().take(19).filter(char::is_ascii_digit).collect();
    let offset = iso.get(19..).unwrap_or("+00:00");
    let offset = if offset.is_empty() || offset == "Z" {
        "+00:00"
    } else {
        offset
    };
    format!(
        "D:{digits}{}'{}'",
        &offset[..3],
        offset.get(4..6).unwrap_or("00")
    )
}

/// Embed `xml` into `pdf` as a Factur-X PDF/A-3.
pub fn embed(pdf: &[u8], xml: &[u8], meta: &FacturXMeta) -> Result<Vec<u8>, FacturXError> {
    let mut doc = Document::load_mem(pdf).map_err(|e| FacturXError(e.to_string()))?;
    embed_into(&mut doc, xml, meta)?;
    crate::render::compress_streams(&mut doc);
    let mut out = Vec::with_capacity(pdf.len() + xml.len() + SRGB.len() + 8 * 1024);
    doc.save_to(&mut out)
        .map_err(|e| FacturXError(e.to_string()))?;
    Ok(out)
}

/// Turns a document in memory into a Factur-X PDF/A-3 carrying `xml` (its streams are compressed
/// when it is saved).
pub(crate) fn embed_into(
    doc: &mut Document,
    xml: &[u8],
    meta: &FacturXMeta,
) -> Result<(), FacturXError> {
    let err = |e: lopdf::Error| FacturXError(e.to_string());
    let date = Object::String(pdf_date(meta.created).into_bytes(), StringFormat::Literal);

    let file = Stream::new(
        dictionary! {
            "Type" => "EmbeddedFile",
            "Subtype" => Object::Name(b"text/xml".to_vec()),
            "Params" => dictionary! { "Size" => xml.len() as i64, "ModDate" => date.clone() },
        },
        xml.to_vec(),
    );
    // Compressed with the rest when saved; the size stays in Params as the spec asks.
    let file_id = doc.add_object(file);
    let spec_id = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal("factur-x.xml"),
        "UF" => Object::string_literal("factur-x.xml"),
        "Desc" => Object::string_literal("Factur-X invoice (EN 16931)"),
        "AFRelationship" => "Data",
        "EF" => dictionary! { "F" => file_id, "UF" => file_id },
    });
    let mut metadata = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp(meta).into_bytes(),
    );
    metadata.allows_compression = false; // PDF/A: metadata readable without filters
    let metadata_id = doc.add_object(metadata);
    let icc_id = doc.add_object(Stream::new(dictionary! { "N" => 3 }, SRGB.to_vec()));
    let intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal("sRGB IEC61966-2.1"),
        "Info" => Object::string_literal("sRGB IEC61966-2.1"),
        "DestOutputProfile" => icc_id,
    };

    let catalog = doc.catalog_mut().map_err(err)?;
    catalog.set("Metadata", metadata_id);
    catalog.set("AF", vec![Object::Reference(spec_id)]);
    catalog.set("OutputIntents", vec![Object::Dictionary(intent)]);
    catalog.set(
        "Names",
        dictionary! {
            "EmbeddedFiles" => dictionary! {
                "Names" => vec![Object::string_literal("factur-x.xml"), Object::Reference(spec_id)],
            },
        },
    );
    catalog.set("PageMode", "UseAttachments");

    // The document information dictionary agrees with the XMP (PDF/A).
    let info = dictionary! {
        "Title" => Object::string_literal(meta.title),
        "Author" => Object::string_literal(meta.author),
        "Producer" => Object::string_literal("Stint"),
        "Creator" => Object::string_literal("Stint"),
        "CreationDate" => date.clone(),
        "ModDate" => date,
    };
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", info_id);
    // PDF/A wants a file identifier; derive it from the XML so the same invoice gives the same id.
    let id = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        xml.hash(&mut h);
        let a = h.finish().to_be_bytes();
        meta.title.hash(&mut h);
        let b = h.finish().to_be_bytes();
        [a, b].concat()
    };
    doc.trailer.set(
        "ID",
        vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ],
    );
    Ok(())
}
