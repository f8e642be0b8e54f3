import { cleanup, configure } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

import { SETTLE_MS } from "./eventually";

// `findBy…` and `waitFor` give up after one second by default: too soon on a busy CI machine.
configure({ asyncUtilTimeout: SETTLE_MS });

afterEach(() => {
  cleanup();
  clearMocks();
});
