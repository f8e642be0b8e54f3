// Sample values shaped like the generated bindings, for tests.
import type { Action } from "../bindings/Action";
import type { EntryView } from "../bindings/EntryView";
import type { Permissions } from "../bindings/Permissions";
import type { ProjectView } from "../bindings/ProjectView";
import type { Role } from "../bindings/Role";

export const project: ProjectView = {
  project: {
    id: "01JPROJECT0000000000000000",
    client: "01JCLIENT00000000000000000",
    name: "Website",
    billable: true,
    rounding: null,
    note: "",
    archived: false,
  },
  client_name: "Müller & Søn",
};

export function runningEntry(start: string, note = ""): EntryView {
  return {
    entry: {
      id: "01JENTRY000000000000000000",
      member: "01JMEMBER00000000000000000",
      project: project.project.id,
      task: null,
      time: { type: "running", start },
      note,
      billable: true,
      tags: [],
      invoiced: false,
    },
    date: start.slice(0, 10),
    project_name: "Website",
    client_name: "Müller & Søn",
    task_name: null,
    member_name: "Ada",
    seconds: 0,
    billed_seconds: 0,
    amount: null,
    locked: false,
    can_edit: true,
    overlaps: false,
  };
}

/** Every action, in the role table's order (ROLES.md). */
export const ACTIONS: Action[] = [
  "read_org_profile", "edit_org_profile", "read_billing_profile", "edit_billing_profile",
  "delete_organization", "transfer_ownership", "list_members", "manage_members_and_viewers",
  "manage_admins_and_owners", "read_catalog", "edit_catalog", "read_rates", "edit_rates",
  "read_time_entry", "edit_time_entry", "read_expense", "edit_expense", "lock_period",
  "edit_locked_or_invoiced", "read_invoices", "edit_invoices", "finalize_invoice",
  "edit_finalized_invoice", "read_time_reports", "read_financial_reports", "read_audit_log",
  "create_own_api_token", "manage_api_tokens", "export_organization",
];

/** A member of `role` whose grants are "all" for `allowed` and "none" for everything else. */
export function permissionsOf(
  role: Role,
  allowed: (action: Action) => boolean,
  id = "01JMEMBER00000000000000000",
): Permissions {
  return {
    member: { id, name: "Ada", role, active: true },
    grants: ACTIONS.map((action) => ({ action, scope: allowed(action) ? "all" : "none" })),
  };
}

/** What an element says, for `toContain` (no jest-dom here). */
export function text(element: Element | null | undefined): string {
  return element?.textContent ?? "";
}
