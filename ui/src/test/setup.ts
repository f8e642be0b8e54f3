import { cleanup, configure } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

import i18n from "../i18n";
import { SETTLE_MS } from "./eventually";

// `findBy…` and `waitFor` give up after one second by default: too soon on a busy CI machine.
configure({ asyncUtilTimeout: SETTLE_MS });

// Tests read the English words unless they switch (and switch back) themselves.
void i18n.changeLanguage("en");

afterEach(() => {
  cleanup();
  clearMocks();
});
