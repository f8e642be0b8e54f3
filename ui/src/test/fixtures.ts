// Sample values shaped like the generated bindings, for tests.
import type { EntryView } from "../bindings/EntryView";
import type { ProjectView } from "../bindings/ProjectView";

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
  };
}
