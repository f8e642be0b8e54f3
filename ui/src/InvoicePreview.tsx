// The preview of an invoice: its real PDF (the same bytes "Save PDF" writes, without the e-invoice
// attachment), rendered in the window. It follows every change to the invoice and the paper size.

import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "./api";
import type { InvoiceId } from "./bindings/InvoiceId";
import type { PaperSize } from "./bindings/PaperSize";
import { renderPdf } from "./pdfPreview";

type Props = {
  id: InvoiceId;
  paper: PaperSize;
  /** Changes whenever the invoice does (a different value means: render again). */
  revision: string;
};

/** How wide a page is drawn at 100 %, in CSS pixels. */
const PAGE_WIDTH = 560;
/** The zoom steps, as fractions of PAGE_WIDTH. */
export const ZOOMS = [0.75, 1, 1.25, 1.5, 2] as const;

export function InvoicePreview({ id, paper, revision }: Props) {
  const { t } = useTranslation("invoices", { keyPrefix: "preview" });
  const pagesRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ kind: "loading" } | { kind: "ready"; pages: number } | { kind: "failed"; message: string }>({
    kind: "loading",
  });

  const [zoom, setZoom] = useState(1);
  const step = ZOOMS.indexOf(zoom as (typeof ZOOMS)[number]);

  // The PDF is asked for when the invoice or the paper changes; zooming only draws it again.
  const [pdf, setPdf] = useState<Uint8Array | null>(null);
  useEffect(() => {
    let stale = false;
    setState({ kind: "loading" });
    api.invoicePdf(id, paper).then(
      (bytes) => !stale && setPdf(bytes),
      (e: unknown) => !stale && setState({ kind: "failed", message: errorMessage(e) }),
    );
    return () => {
      stale = true;
    };
  }, [id, paper, revision]);

  useEffect(() => {
    const into = pagesRef.current;
    if (!pdf || !into) return;
    let stale = false;
    // A copy: pdf.js hands the bytes to its worker, which leaves the array it was given empty.
    renderPdf(pdf.slice(), into, Math.round(PAGE_WIDTH * zoom), () => stale).then(
      ({ pages }) => !stale && setState({ kind: "ready", pages }),
      (e: unknown) => !stale && setState({ kind: "failed", message: errorMessage(e) }),
    );
    return () => {
      stale = true;
    };
  }, [pdf, zoom]);

  return (
    <section className="invoice-preview" aria-label={t("label")} data-testid="invoice-preview" data-state={state.kind}>
      <div className="preview-bar">
        <p className="muted small" data-testid="invoice-preview-status">
          {state.kind === "loading" && t("rendering")}
          {state.kind === "ready" && t("ready", { count: state.pages })}
          {state.kind === "failed" && t("failed", { message: state.message })}
        </p>
        <span className="spacer" />
        <div className="zoom" role="group" aria-label={t("zoom")}>
          <button
            type="button"
            className="secondary"
            disabled={step <= 0}
            onClick={() => setZoom(ZOOMS[step - 1] ?? zoom)}
            aria-label={t("zoomOut")}
            data-testid="preview-zoom-out"
          >
            −
          </button>
          <button type="button" className="link" onClick={() => setZoom(1)} aria-label={t("actualSize")} data-testid="preview-zoom">
            {Math.round(zoom * 100)} %
          </button>
          <button
            type="button"
            className="secondary"
            disabled={step >= ZOOMS.length - 1}
            onClick={() => setZoom(ZOOMS[step + 1] ?? zoom)}
            aria-label={t("zoomIn")}
            data-testid="preview-zoom-in"
          >
            +
          </button>
        </div>
      </div>
      <div className="pdf-pages" ref={pagesRef} />
    </section>
  );
}
