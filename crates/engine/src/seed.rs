//! A deterministic benchmark organization: a busy 20-person agency over five years (BENCHMARKS.md).
//!
//! The generator is a SplitMix64 written out here rather than a `rand` RNG so the dataset stays
//! byte-for-byte the same across `rand` releases; it is not used for anything secret.

use crate::records::Record;
use crate::{ActAs, Engine, Kind, NewOrganization, Result};
use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, ToSpan};
use rust_decimal::Decimal;
use stint_domain::*;
use ulid::Ulid;

/// How big.
#[derive(Clone, Copy, Debug)]
pub struct SeedSpec {
    /// Time entries (100,000 for the standard dataset).
    pub entries: u64,
    /// RNG seed.
    pub seed: u64,
}

/// What was made.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct SeedSummary {
    /// Records written in all.
    pub records: u64,
    /// Members.
    pub members: u64,
    /// Clients.
    pub clients: u64,
    /// Projects.
    pub projects: u64,
    /// Tasks.
    pub tasks: u64,
    /// Time entries.
    pub entries: u64,
    /// Expenses.
    pub expenses: u64,
    /// Invoices (issued ones numbered; most of those paid).
    pub invoices: u64,
}

struct SplitMix64(u64);

/// Ids as the engine makes them: ULIDs whose time part grows with each new record, so that they
/// ascend in the order records were created, as a real vault's do (one fixed millisecond for all
/// made them random instead, and a first sync stored them in an order no real organization has:
/// B5 measured 24k records/s with those and 40k with these, docs/sync.md).
struct Ids {
    next_ms: u64,
}

impl Ids {
    fn next(&mut self, rng: &mut SplitMix64) -> Ulid {
        self.next_ms += 1;
        Ulid::from_parts(self.next_ms, rng.random_bits())
    }
}

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn random_bits(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
}

const FIRST: &[&str] = &[
    "Anna",
    "Jörg",
    "Søren",
    "Zoë",
    "Mateo",
    "Aiko",
    "François",
    "Ingrid",
    "Łukasz",
    "Priya",
    "Chloé",
    "Emeka",
    "Björn",
    "Noémie",
    "Dmitri",
    "Saoirse",
    "Tomás",
    "Leïla",
    "Hiroshi",
    "Ana",
];
const LAST: &[&str] = &[
    "Müller",
    "Østergaard",
    "García",
    "Nakamura",
    "Dubois",
    "Kowalski",
    "O'Brien",
    "Svensson",
    "Novák",
    "Rossi",
    "Çelik",
    "Papadopoulos",
];
const COMPANY: &[&str] = &[
    "GmbH",
    "& Søn",
    "SARL",
    "Ltd",
    "AB",
    "S.p.A.",
    "Studio",
    "Collective",
    "Brothers",
    "& Partner",
];
const STEM: &[&str] = &[
    "Nordlicht",
    "Bäckerei",
    "Café Lumière",
    "Fjord",
    "Kirschblüte",
    "Atlas",
    "Zephyr",
    "Quartier",
    "Łódź Digital",
    "Mühlenhof",
    "Saffron",
    "Brückenbau",
    "Helios",
    "Óbidos",
];
const PROJECT: &[&str] = &[
    "Website relaunch",
    "Brand identity",
    "Mobile app",
    "Newsletter",
    "Shop migration",
    "Annual report",
    "SEO audit",
    "Campaign Q3",
    "Intranet",
    "Data cleanup",
];
const TASK: &[&str] = &[
    "Design",
    "Development",
    "Meetings",
    "Project management",
    "Copywriting",
    "QA",
    "Research",
    "Support",
];
const WORDS: &[&str] = &[
    "review",
    "call with client",
    "fixed layout",
    "Überarbeitung",
    "déjà vu bug",
    "naïve approach",
    "refactor",
    "deploy",
    "feedback round",
    "Korrektur",
    "mockups",
    "café meeting",
    "sprint planning",
    "invoice questions",
    "キックオフ",
    "résumé",
    "tests",
    "estimate",
];
const CATEGORY: &[&str] = &[
    "Travel", "Software", "Hardware", "Meals", "Office", "Hotel", "Training",
];

fn sentence(rng: &mut SplitMix64, max_chars: usize) -> String {
    let target = rng.below(max_chars as u64 + 1) as usize;
    let mut s = String::new();
    while s.chars().count() < target {
        if !s.is_empty() {
            s.push(' ');
        }
        let word: &str = rng.pick::<&str>(WORDS);
        s.push_str(word);
    }
    s.chars()
        .take(target)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// A project's window of work and its team, while seeding.
struct Job {
    project: ProjectId,
    start: i64,
    days: i64,
    team: Vec<MemberId>,
}

impl Engine {
    /// Create the benchmark organization. Owned by this device's user; written in large
    /// transactions. `progress(done, total)` reports records written.
    pub async fn seed(
        &mut self,
        spec: SeedSpec,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OrgId, SeedSummary)> {
        let scale = |n: u64| (n * spec.entries / 100_000).max(1);
        let org_id = self
            .create_organization(NewOrganization {
                name: "Northwind Studio (bench)".into(),
                currency: "EUR".into(),
                locale: "de-DE".into(),
                time_zone: "Europe/Berlin".into(),
                week_start: Some("monday".into()),
                owner_name: "Anna Müller".into(),
            })
            .await?;
        let by = ActAs {
            org: org_id,
            member: self.user(),
        };
        let tz = self.time_zone(org_id)?;
        let mut rng = SplitMix64(spec.seed);
        let mut ids = Ids {
            next_ms: 1_700_000_000_000,
        };
        let mut records: Vec<Record> = Vec::new();

        let mut members = vec![self.user()];
        for i in 1..20u64 {
            let role = match i {
                1 | 2 => Role::Admin,
                18 | 19 => Role::Viewer,
                _ => Role::Member,
            };
            let id = MemberId(ids.next(&mut rng));
            members.push(id);
            let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
            records.push(Record::Member(Member {
                id,
                name: format!("{name} {i}"),
                role,
                active: true,
            }));
        }
        let mut clients = Vec::new();
        for i in 0..scale(2_000) {
            let id = ClientId(ids.next(&mut rng));
            clients.push(id);
            let rounding = rng.chance(30).then_some(Rounding {
                mode: RoundingMode::Up,
                minutes: 15,
            });
            records.push(Record::Client(Client {
                id,
                name: format!("{} {} {i}", *rng.pick(STEM), *rng.pick(COMPANY)),
                currency: None,
                rounding,
                note: sentence(&mut rng, 120),
                archived: rng.chance(5),
            }));
            if rng.chance(20) {
                records.push(Record::Rate(Rate {
                    id: RateId(ids.next(&mut rng)),
                    scope: RateScope::Client { client: id },
                    effective_from: Date::constant(2021, 1, 1),
                    hourly: Money::new(Decimal::from(80 + rng.below(60)), Currency::EUR),
                }));
            }
        }
        // A project is a job of a few weeks for a small team, as in an agency: its entries fall
        // within its window and are tracked by its team.
        let first_day = Date::constant(2021, 11, 1);
        let mut projects: Vec<(ProjectId, ClientId)> = Vec::new();
        let mut jobs: Vec<Job> = Vec::new();
        for i in 0..scale(5_000) {
            let id = ProjectId(ids.next(&mut rng));
            let client = *rng.pick(&clients);
            projects.push((id, client));
            let team = (0..1 + rng.below(4))
                .map(|_| *rng.pick(&members[..18]))
                .collect();
            jobs.push(Job {
                project: id,
                start: rng.below(5 * 365 - 35) as i64,
                days: 7 + rng.below(28) as i64,
                team,
            });
            records.push(Record::Project(Project {
                id,
                client,
                name: format!("{} {i}", rng.pick(PROJECT)),
                billable: !rng.chance(10),
                rounding: None,
                note: sentence(&mut rng, 80),
                archived: rng.chance(10),
            }));
            if rng.chance(10) {
                for (year, base) in [(2022, 95), (2025, 110)] {
                    records.push(Record::Rate(Rate {
                        id: RateId(ids.next(&mut rng)),
                        scope: RateScope::Project { project: id },
                        effective_from: Date::constant(year, 1, 1),
                        hourly: Money::new(Decimal::from(base + rng.below(20)), Currency::EUR),
                    }));
                }
            }
        }
        let mut tasks_of: std::collections::HashMap<ProjectId, Vec<TaskId>> = Default::default();
        for _ in 0..scale(20_000) {
            let id = TaskId(ids.next(&mut rng));
            let (project, _) = *rng.pick(&projects);
            tasks_of.entry(project).or_default().push(id);
            records.push(Record::Task(Task {
                id,
                project,
                name: rng.pick(TASK).to_string(),
                billable: None,
                archived: false,
            }));
        }
        records.push(Record::Rate(Rate {
            id: RateId(ids.next(&mut rng)),
            scope: RateScope::Organization,
            effective_from: Date::constant(2020, 1, 1),
            hourly: Money::new(Decimal::from(90), Currency::EUR),
        }));
        for _ in 0..spec.entries {
            let job = rng.pick(&jobs);
            let project = job.project;
            let task = tasks_of
                .get(&project)
                .filter(|_| rng.chance(70))
                .map(|t| *rng.pick(t));
            let day = first_day
                .checked_add((job.start + rng.below(job.days as u64) as i64).days())
                .unwrap_or(first_day);
            let start = DateTime::from_parts(
                day,
                jiff::civil::Time::constant(8 + rng.below(10) as i8, rng.below(60) as i8, 0, 0),
            );
            let start = start
                .to_zoned_datetime(tz.clone())
                .map(|z| z.timestamp())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let minutes = 15 + rng.below(225) as i64;
            records.push(Record::TimeEntry(TimeEntry {
                id: EntryId(ids.next(&mut rng)),
                member: *rng.pick(&job.team),
                project: Some(project),
                task,
                time: EntryTime::Span {
                    start,
                    end: start + SignedDuration::from_mins(minutes),
                },
                note: sentence(&mut rng, 200),
                billable: !rng.chance(15),
                tags: vec![],
                invoiced: false,
            }));
        }
        for _ in 0..scale(5_000) {
            let day = first_day
                .checked_add((rng.below(5 * 365) as i64).days())
                .unwrap_or(first_day);
            records.push(Record::Expense(Expense {
                id: ExpenseId(ids.next(&mut rng)),
                member: *rng.pick(&members[..18]),
                date: day,
                amount: Money::new(
                    Decimal::new(100 + rng.below(200_000) as i64, 2),
                    Currency::EUR,
                ),
                category: rng.pick(CATEGORY).to_string(),
                note: sentence(&mut rng, 100),
                billable: rng.chance(60),
                project: rng.chance(70).then(|| rng.pick(&projects).0),
                receipt: None,
                invoiced: false,
            }));
        }

        // Invoices: 8 lines on average, issued with a number for 90 %, paid for most of those.
        let seller = Party {
            name: "Northwind Studio GmbH".into(),
            street: "Torstraße 12".into(),
            postcode: "10119".into(),
            city: "Berlin".into(),
            country: "DE".into(),
            vat_id: Some("DE123456789".into()),
            email: Some("billing@northwind.example".into()),
            contact: None,
            phone: None,
        };
        for n in 0..scale(10_000) {
            let client = *rng.pick(&clients);
            let mut invoice =
                Invoice::draft(InvoiceId(ids.next(&mut rng)), client, Currency::EUR, 14);
            for _ in 0..1 + rng.below(15) {
                invoice.lines.push(InvoiceLine {
                    description: sentence(&mut rng, 80),
                    detail: rng.chance(30).then(|| sentence(&mut rng, 120)),
                    quantity: Decimal::new(25 + rng.below(4000) as i64, 2),
                    unit: Unit::Hour,
                    unit_price: Decimal::from(80 + rng.below(60)),
                    discount: None,
                    tax: Tax::standard(Decimal::from(19)),
                    source: LineSource::Manual,
                    worth: None,
                });
            }
            let day = first_day
                .checked_add((rng.below(5 * 365) as i64).days())
                .unwrap_or(first_day);
            if rng.chance(90) {
                let buyer = Party {
                    name: format!("{} {}", rng.pick(STEM), rng.pick(COMPANY)),
                    street: format!("Hauptstraße {}", 1 + rng.below(200)),
                    postcode: format!("{:05}", 10_000 + rng.below(89_999)),
                    city: "München".into(),
                    country: "DE".into(),
                    vat_id: None,
                    email: None,
                    contact: None,
                    phone: None,
                };
                let number = format!("RE-{}-{:05}", day.year(), n + 1);
                invoice.issue(number, day, seller.clone(), buyer)?;
                if rng.chance(80) {
                    let paid = Payment {
                        date: day.checked_add(10.days()).unwrap_or(day),
                        amount: invoice.totals().gross,
                        note: String::new(),
                        method: Some(PaymentMethod::BankTransfer),
                    };
                    invoice.record_payment(paid)?;
                }
            }
            records.push(Record::Invoice(Box::new(invoice)));
        }

        let mut summary = SeedSummary {
            records: records.len() as u64,
            members: 20,
            ..Default::default()
        };
        for r in &records {
            match r.kind() {
                Kind::Client => summary.clients += 1,
                Kind::Project => summary.projects += 1,
                Kind::Task => summary.tasks += 1,
                Kind::TimeEntry => summary.entries += 1,
                Kind::Expense => summary.expenses += 1,
                Kind::Invoice => summary.invoices += 1,
                _ => {}
            }
        }
        let total = records.len() as u64;
        let mut done = 0u64;
        progress(0, total);
        for chunk in records.chunks(20_000) {
            let writes = self.fresh_writes(&by, chunk)?;
            self.vault.put(&self.keys, writes).await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        let state = self.state_mut(org_id)?;
        for record in records {
            state.apply(record);
        }
        state.reprice_all();
        Ok((org_id, summary))
    }
}
