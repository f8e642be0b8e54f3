import { useState } from "react";

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

  switch (screen.name) {
    case "unlock":
      return (
        <UnlockScreen
          autoUnlock={!screen.locked}
          onUnlocked={() => setScreen({ name: "organizations" })}
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
