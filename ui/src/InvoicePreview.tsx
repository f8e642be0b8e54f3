// The preview of an invoice: its real PDF (the same bytes "Save PDF" writes, without the e-invoice
// attachment), rendered in the window. It follows every change to the invoice and the paper size.

import { useEffect, useRef, useState } from "react";
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

/** How wide a page is drawn, in CSS pixels. */
const PAGE_WIDTH = 560;

export function InvoicePreview({ id, paper, revision }: Props) {
  const pagesRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ kind: "loading" } | { kind: "ready"; pages: number } | { kind: "failed"; message: string }>({
    kind: "loading",
  });

  useEffect(() => {
    let stale = false;
    setState({ kind: "loading" });
    (async () => {
      try {
        const bytes = await api.invoicePdf(id, paper);
        const into = pagesRef.current;
        if (stale || !into) return;
        const { pages } = await renderPdf(bytes, into, PAGE_WIDTH, () => stale);
        if (!stale) setState({ kind: "ready", pages });
      } catch (e) {
        if (!stale) setState({ kind: "failed", message: errorMessage(e) });
      }
    })();
    return () => {
      stale = true;
    };
  }, [id, paper, revision]);

  return (
    <section className="invoice-preview" aria-label="Preview" data-testid="invoice-preview" data-state={state.kind}>
      <p className="muted small" data-testid="invoice-preview-status">
        {state.kind === "loading" && "Rendering the preview…"}
        {state.kind === "ready" && `Preview of the PDF · ${state.pages} ${state.pages === 1 ? "page" : "pages"}`}
        {state.kind === "failed" && `No preview: ${state.message}`}
      </p>
      <div className="pdf-pages" ref={pagesRef} />
    </section>
  );
}
