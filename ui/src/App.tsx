import { useState } from "react";

import { api } from "./api";
import type { ActAs } from "./bindings/ActAs";
import type { OrgSummary } from "./bindings/OrgSummary";
import { ChooseOrganization } from "./ChooseOrganization";
import { MainView } from "./MainView";
import { UnlockScreen } from "./UnlockScreen";

type Screen =
  | { name: "unlock"; locked?: boolean }
  | { name: "organizations" }
  | { name: "main"; org: OrgSummary; actAs: ActAs };

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: "unlock" });

  // After unlock, straight back to the organization open last (as the person left it); the list of
  // organizations when there is none to reopen, or reopening failed (choosing it there says why).
  async function reopen() {
    try {
      const reopened = await api.reopenOrganization();
      if (reopened) {
        setScreen({ name: "main", org: reopened.org, actAs: reopened.act_as });
        return;
      }
    } catch {
      // Choosing from the list shows the engine's message.
    }
    setScreen({ name: "organizations" });
  }

  switch (screen.name) {
    case "unlock":
      return (
        <UnlockScreen
          autoUnlock={!screen.locked}
          onUnlocked={() => void reopen()}
        />
      );
    case "organizations":
      return (
        <ChooseOrganization onChosen={(org, actAs) => setScreen({ name: "main", org, actAs })} />
      );
    case "main":
      return (
        <MainView
          org={screen.org}
          actAs={screen.actAs}
          onSwitchOrganization={() => setScreen({ name: "organizations" })}
          onLocked={() => setScreen({ name: "unlock", locked: true })}
        />
      );
  }
}
