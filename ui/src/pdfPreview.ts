// Draws a PDF's pages onto canvases with pdf.js (Mozilla's renderer; WebKitGTK has no PDF viewer of
// its own). Loaded on first use, so the app starts without it. The worker is a same-origin file, as
// the CSP wants; no string is ever evaluated as code.

import i18n from "./i18n";

export type RenderedPdf = { pages: number };

/** Renders every page of `bytes` into `into` (emptied first), `width` CSS pixels wide, sharp on
 * high-density screens. Stops early, without an error, once `cancelled()` says so. */
export async function renderPdf(
  bytes: Uint8Array,
  into: HTMLElement,
  width: number,
  cancelled: () => boolean,
): Promise<RenderedPdf> {
  const pdfjs = await import("pdfjs-dist");
  const { default: workerUrl } = await import("pdfjs-dist/build/pdf.worker.min.mjs?url");
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  const doc = await pdfjs.getDocument({ data: bytes, isEvalSupported: false, useWasm: false }).promise;
  try {
    const canvases: HTMLCanvasElement[] = [];
    const ratio = window.devicePixelRatio || 1;
    for (let n = 1; n <= doc.numPages; n++) {
      if (cancelled()) return { pages: doc.numPages };
      const page = await doc.getPage(n);
      const unscaled = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: width / unscaled.width });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      canvas.className = "pdf-page";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", i18n.t("pdfPreview.page", { ns: "app", page: n, pages: doc.numPages }));
      canvas.dataset.testid = "invoice-preview-page";
      await page.render({
        canvas,
        viewport,
        ...(ratio === 1 ? {} : { transform: [ratio, 0, 0, ratio, 0, 0] }),
      }).promise;
      canvases.push(canvas);
    }
    if (!cancelled()) into.replaceChildren(...canvases);
    return { pages: doc.numPages };
  } finally {
    await doc.destroy();
  }
}
