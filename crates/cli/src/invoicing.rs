//! `stint billing …` and `stint invoice …`.

use crate::output::Table;
use crate::{Cli, Ctx, done, parse, print_json};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use stint_domain::*;
use stint_engine::*;
use stint_locale::Format;

#[derive(Subcommand)]
pub enum BillingCmd {
    /// Show the billing profile
    Show,
    /// Change the billing profile (only the options given change)
    Set {
        #[command(flatten)]
        party: PartyArgs,
        /// Account holder for bank transfers
        #[arg(long)]
        holder: Option<String>,
        #[arg(long)]
        iban: Option<String>,
        #[arg(long)]
        bic: Option<String>,
        /// Invoice number pattern, e.g. "INV-{YYYY}-{SEQ:4}"
        #[arg(long)]
        pattern: Option<String>,
        /// Restart numbering every year
        #[arg(long)]
        yearly_reset: Option<bool>,
        /// One sequence per client (the pattern needs {CLIENT})
        #[arg(long)]
        per_client: Option<bool>,
        /// Days to pay
        #[arg(long)]
        payment_days: Option<u16>,
        /// Default tax rate in percent (standard category)
        #[arg(long)]
        tax: Option<Decimal>,
        /// Default tax category instead (reverse-charge, exempt, …)
        #[arg(long)]
        tax_category: Option<String>,
        /// Prices include tax
        #[arg(long)]
        prices_include_tax: Option<bool>,
        /// Round tax per line instead of once per rate
        #[arg(long)]
        round_tax_per_line: Option<bool>,
        /// A named tax rate to pick for lines, "NAME=PERCENT" or "NAME=CATEGORY" (repeatable;
        /// replaces the list)
        #[arg(long = "tax-rate")]
        tax_rates: Vec<String>,
        /// Remove every named tax rate
        #[arg(long)]
        clear_tax_rates: bool,
        #[command(flatten)]
        legal: Box<LegalArgs>,
        #[command(flatten)]
        texts: Box<TextArgs>,
    },
    /// Show or change a client's billing details
    Client {
        /// The client (name or id)
        client: String,
        #[command(flatten)]
        party: PartyArgs,
        /// Replaces {CLIENT} in invoice numbers
        #[arg(long)]
        prefix: Option<String>,
        #[arg(long)]
        payment_days: Option<u16>,
        /// Tax rate for this client in percent (standard category)
        #[arg(long)]
        tax: Option<Decimal>,
        /// Tax category for this client (e.g. reverse-charge)
        #[arg(long)]
        tax_category: Option<String>,
        /// The buyer's reference on its invoices (BT-10, e.g. a Leitweg-ID)
        #[arg(long)]
        buyer_reference: Option<String>,
        /// The language of its invoices: en, de or fr ("default" for the organization's)
        #[arg(long)]
        language: Option<String>,
    },
}

/// What the footer of every invoice states about the seller (empty text clears a field).
#[derive(Args)]
pub struct LegalArgs {
    /// The tax office's number (Steuernummer)
    #[arg(long)]
    tax_number: Option<String>,
    /// The court keeping the commercial register, e.g. "Amtsgericht Berlin-Charlottenburg"
    #[arg(long)]
    register_court: Option<String>,
    /// The register number, e.g. "HRB 123456 B"
    #[arg(long)]
    register_number: Option<String>,
    /// Managing directors, as printed
    #[arg(long)]
    managing_directors: Option<String>,
    /// Registered seat
    #[arg(long)]
    seat: Option<String>,
    #[arg(long)]
    website: Option<String>,
    /// A small business charging no VAT (§ 19 UStG, art. 293 B CGI): exempt lines say so
    #[arg(long)]
    small_business: Option<bool>,
}

/// The default subject, intro and closing of new invoices in one language.
#[derive(Args)]
pub struct TextArgs {
    /// Which language the texts are for: en, de or fr [default: the organization's]
    #[arg(long = "texts-language")]
    texts_language: Option<String>,
    /// Default subject line
    #[arg(long)]
    subject: Option<String>,
    /// Default paragraph before the lines ("suggested" for a standard one)
    #[arg(long)]
    intro: Option<String>,
    /// Default paragraph after the payment details ("suggested" for a standard one)
    #[arg(long)]
    closing: Option<String>,
}

/// `Some("")` clears a field, `Some(text)` sets it, `None` keeps it.
fn set_field(field: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value {
        *field = Some(v.clone()).filter(|v| !v.trim().is_empty());
    }
}

impl LegalArgs {
    fn apply(&self, legal: &mut SellerLegal) {
        set_field(&mut legal.tax_number, &self.tax_number);
        set_field(&mut legal.register_court, &self.register_court);
        set_field(&mut legal.register_number, &self.register_number);
        set_field(&mut legal.managing_directors, &self.managing_directors);
        set_field(&mut legal.seat, &self.seat);
        set_field(&mut legal.website, &self.website);
        if let Some(v) = self.small_business {
            legal.small_business = v;
        }
    }
}

impl TextArgs {
    /// Changes `texts` (the organization's, one set per language); `home` is the organization's
    /// language.
    fn apply(&self, texts: &mut Vec<InvoiceTexts>, home: Language) -> Result<()> {
        if self.subject.is_none() && self.intro.is_none() && self.closing.is_none() {
            if self.texts_language.is_some() {
                bail!("--texts-language needs --subject, --intro or --closing");
            }
            return Ok(());
        }
        let language = match &self.texts_language {
            Some(l) => l.parse()?,
            None => home,
        };
        let suggested = language.suggested_texts();
        let i = match texts.iter().position(|t| t.language == language) {
            Some(i) => i,
            None => {
                texts.push(InvoiceTexts {
                    language,
                    ..InvoiceTexts::default()
                });
                texts.len() - 1
            }
        };
        let t = &mut texts[i];
        let pick = |given: &str, suggestion: &str| {
            if given.trim() == "suggested" {
                suggestion.to_owned()
            } else {
                given.to_owned()
            }
        };
        if let Some(v) = &self.subject {
            t.subject = v.clone();
        }
        if let Some(v) = &self.intro {
            t.intro = pick(v, &suggested.intro);
        }
        if let Some(v) = &self.closing {
            t.closing = pick(v, &suggested.closing);
        }
        Ok(())
    }
}

#[derive(Args)]
pub struct PartyArgs {
    /// Legal name
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// Two-letter country code
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    vat_id: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// Contact person
    #[arg(long)]
    contact: Option<String>,
    #[arg(long)]
    phone: Option<String>,
}

impl PartyArgs {
    fn any(&self) -> bool {
        [
            &self.name,
            &self.street,
            &self.postcode,
            &self.city,
            &self.country,
            &self.vat_id,
            &self.email,
        ]
        .iter()
        .any(|f| f.is_some())
    }

    fn apply(&self, party: &mut Party) {
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                *field = v.clone();
            }
        };
        set(&mut party.name, &self.name);
        set(&mut party.street, &self.street);
        set(&mut party.postcode, &self.postcode);
        set(&mut party.city, &self.city);
        set(&mut party.country, &self.country);
        if let Some(v) = &self.vat_id {
            party.vat_id = Some(v.clone());
        }
        if let Some(v) = &self.email {
            party.email = Some(v.clone());
        }
        if let Some(v) = &self.contact {
            party.contact = Some(v.clone());
        }
        if let Some(v) = &self.phone {
            party.phone = Some(v.clone());
        }
    }
}

/// `NAME=PERCENT` or `NAME=CATEGORY` (e.g. "Reduced=7", "EU clients=reverse-charge").
fn named_rate(input: &str) -> Result<TaxRate> {
    let (name, rate) = input.rsplit_once('=').ok_or_else(|| {
        anyhow!(
            "{input:?} is not a tax rate (use NAME=PERCENT or NAME=CATEGORY, e.g. \"Reduced=7\")"
        )
    })?;
    let rate = rate.trim();
    let tax = match rate.parse::<Decimal>() {
        Ok(percent) => Tax::standard(percent),
        Err(_) => tax_from(None, Some(rate))?.unwrap_or(Tax::standard(Decimal::ZERO)),
    };
    Ok(TaxRate {
        name: name.to_owned(),
        tax,
    })
}

fn tax_from(percent: Option<Decimal>, category: Option<&str>) -> Result<Option<Tax>> {
    Ok(match (percent, category) {
        (Some(_), Some(_)) => bail!("give either --tax PERCENT or --tax-category, not both"),
        (Some(p), None) => Some(Tax::standard(p)),
        (None, Some(c)) => {
            let category = TaxCategory::from_str(c)?;
            if category == TaxCategory::Standard {
                bail!("a standard tax needs a rate: use --tax PERCENT");
            }
            Some(Tax::zero(category))
        }
        (None, None) => None,
    })
}

#[derive(Subcommand)]
pub enum InvoiceCmd {
    /// Create a draft from a client's unbilled work (and expenses, and typed lines)
    Create {
        /// The client (name or id)
        client: String,
        /// Work from this day
        #[arg(long)]
        from: Option<String>,
        /// Work until this day
        #[arg(long)]
        to: Option<String>,
        /// One line per project, task, person, day or entry
        #[arg(long = "by", default_value = "project")]
        grouping: String,
        /// Under each line of time: its period, the entries' notes, or the hours per task
        #[arg(long, default_value = "period")]
        detail: String,
        /// Leave tracked time out
        #[arg(long)]
        no_time: bool,
        /// Bill the client's billable expenses too
        #[arg(long)]
        expenses: bool,
        /// A typed line "DESCRIPTION:QUANTITY:PRICE" (repeatable)
        #[arg(long = "line")]
        lines: Vec<String>,
    },
    /// List invoices
    List {
        /// draft, issued, partially_paid, paid or void
        #[arg(long)]
        status: Option<String>,
        /// Only overdue invoices (to remind)
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        client: Option<String>,
    },
    /// Billed work that needs a look: changed after it was invoiced, or on two drafts at once
    /// (both can happen when devices work offline)
    Problems,
    /// Show one invoice
    Show {
        /// Number or id
        invoice: String,
    },
    /// Change a draft
    Edit {
        /// Number or id
        invoice: String,
        /// Add a typed line "DESCRIPTION:QUANTITY:PRICE" (repeatable)
        #[arg(long = "add-line")]
        add_lines: Vec<String>,
        /// Remove line N (1-based, repeatable)
        #[arg(long = "remove-line")]
        remove_lines: Vec<usize>,
        /// Invoice discount: "10%" or an amount
        #[arg(long)]
        discount: Option<String>,
        /// Remove the invoice discount
        #[arg(long)]
        no_discount: bool,
        /// Tax of the added lines: a named rate of the billing profile or a percentage [default:
        /// the client's tax, else the profile's default]
        #[arg(long)]
        line_tax: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        #[arg(long)]
        payment_days: Option<u16>,
        /// Prices include tax
        #[arg(long)]
        prices_include_tax: Option<bool>,
        /// Round tax per line instead of once per rate
        #[arg(long)]
        round_tax_per_line: Option<bool>,
        /// The language it is written in: en, de or fr
        #[arg(long)]
        language: Option<String>,
        /// Its own subject line
        #[arg(long)]
        subject: Option<String>,
        /// Its own paragraph before the lines
        #[arg(long)]
        intro: Option<String>,
        /// Its own paragraph after the payment details
        #[arg(long)]
        closing: Option<String>,
        /// Back to the organization's subject, intro and closing
        #[arg(long)]
        default_texts: bool,
    },
    /// Issue a draft: number it and freeze it
    Issue {
        invoice: String,
        /// Issue date [default: today]
        #[arg(long)]
        date: Option<String>,
    },
    /// Record a payment
    Pay {
        invoice: String,
        amount: String,
        /// [default: today]
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// transfer, debit, card, cash, paypal or other
        #[arg(long)]
        method: Option<String>,
    },
    /// Void an issued invoice without payments (its work becomes billable again)
    Void {
        invoice: String,
        #[arg(long)]
        reason: String,
    },
    /// Make a draft credit note for an issued invoice
    Credit { invoice: String },
    /// Delete a draft (its work becomes billable again)
    Delete { invoice: String },
    /// Save the PDF (a Factur-X PDF/A-3 with the e-invoice inside, when the invoice is issued)
    Pdf {
        invoice: String,
        /// File or directory to write [default: the current directory]
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Without the embedded e-invoice
        #[arg(long)]
        plain: bool,
        /// US Letter instead of A4
        #[arg(long)]
        letter: bool,
    },
    /// Save the e-invoice XML (Factur-X EN 16931 CII, or XRechnung)
    Xml {
        invoice: String,
        /// XRechnung 3.0 instead of Factur-X
        #[arg(long)]
        xrechnung: bool,
        /// File or directory to write [default: the current directory]
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Recurring invoices: drafts made on a schedule
    #[command(subcommand)]
    Recurring(RecurringCmd),
    /// Save the PDFs (or XML) of many invoices into a directory, with a progress bar
    Export {
        /// The directory (created if missing)
        #[arg(long)]
        dir: PathBuf,
        /// Only this status
        #[arg(long)]
        status: Option<String>,
        /// pdf or xml
        #[arg(long, default_value = "pdf")]
        format: String,
    },
}

fn saved(cli: &Cli, path: &Path) -> Result<()> {
    if cli.json {
        return print_json(&serde_json::json!({ "path": path }));
    }
    println!("Saved {}", path.display());
    Ok(())
}

/// Write `bytes` to `output` (a file, or a directory to put `file_name` in); never overwrites.
fn save(output: Option<&Path>, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = match output {
        Some(p) if p.is_dir() => p.join(file_name),
        Some(p) => p.to_owned(),
        None => PathBuf::from(file_name),
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {} (it may exist already)", path.display()))?;
    std::io::Write::write_all(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[derive(Subcommand)]
pub enum RecurringCmd {
    /// Start a series: the same lines for a client every week, month, quarter or year
    Add {
        client: String,
        /// week, 2weeks, month, 3months, quarter, year
        #[arg(long)]
        every: String,
        /// The first draft's date [default: today]
        #[arg(long)]
        start: Option<String>,
        /// No drafts after this day
        #[arg(long)]
        until: Option<String>,
        /// A line "DESCRIPTION:QUANTITY:PRICE" (repeatable, at least one)
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
    /// List the series and their next dates
    List,
    /// Make the drafts that are due (the desktop app does this when the Invoices screen opens)
    Run,
    /// Stop making drafts
    Pause { id: String },
    /// Make drafts again
    Resume { id: String },
}

/// `DESCRIPTION:QUANTITY:PRICE`, optionally followed by `:-DISCOUNT` (`:-10%` or `:-5`); the
/// description may itself contain colons.
fn typed_line(input: &str, tax: Tax) -> Result<TypedLine> {
    let bad = || {
        anyhow!(
            "{input:?} is not a line (use DESCRIPTION:QUANTITY:PRICE or DESCRIPTION:QUANTITY:PRICE:-DISCOUNT, e.g. \"Hosting:1:20\" or \"Hosting:1:20:-10%\")"
        )
    };
    let (rest, line_discount) = match input.rsplit_once(':') {
        Some((rest, last)) if last.trim_start().starts_with('-') => (
            rest,
            Some(discount(last.trim_start().trim_start_matches('-'))?),
        ),
        _ => (input, None),
    };
    let mut parts = rest.rsplitn(3, ':');
    let price = parts.next().ok_or_else(bad)?;
    let quantity = parts.next().ok_or_else(bad)?;
    let description = parts.next().ok_or_else(bad)?;
    Ok(TypedLine {
        description: description.to_owned(),
        detail: None,
        quantity: quantity.trim().parse().map_err(|_| bad())?,
        unit: Unit::Piece,
        unit_price: price.trim().parse().map_err(|_| bad())?,
        discount: line_discount,
        tax,
    })
}

/// The tax a `--line-tax` names: one of the profile's named rates (ignoring case), or a percentage.
fn line_tax(profile: &BillingProfile, input: &str) -> Result<Tax> {
    let wanted = input.trim().to_lowercase();
    if let Some(rate) = profile
        .tax_rates
        .iter()
        .find(|r| r.name.to_lowercase() == wanted)
    {
        return Ok(rate.tax);
    }
    let percent: Decimal = input.trim().trim_end_matches('%').trim().parse().map_err(|_| {
        let names: Vec<&str> = profile.tax_rates.iter().map(|r| r.name.as_str()).collect();
        anyhow!(
            "{input:?} is neither a named tax rate ({}) nor a percentage; see `stint billing show`",
            if names.is_empty() { "none set".to_owned() } else { names.join(", ") }
        )
    })?;
    Ok(Tax::standard(percent))
}

fn discount(input: &str) -> Result<Discount> {
    let bad = || anyhow!("{input:?} is not a discount (use e.g. 10% or 50)");
    let input = input.trim();
    Ok(match input.strip_suffix('%') {
        Some(p) => Discount::Percent(p.trim().parse().map_err(|_| bad())?),
        None => Discount::Amount(input.parse().map_err(|_| bad())?),
    })
}

fn status(input: &str) -> Result<InvoiceStatus> {
    serde_json::from_value(serde_json::Value::String(
        input.trim().to_ascii_lowercase().replace('-', "_"),
    ))
    .map_err(|_| {
        anyhow!("{input:?} is not a status (use draft, issued, partially_paid, paid or void)")
    })
}

/// An amount as the organization writes money: "€1,234.50", "1.234,50 €".
fn amount(f: &Format, value: Decimal, currency: Currency) -> String {
    crate::output::money(f, &Money::new(value, currency))
}

fn print_invoice(f: &Format, v: &InvoiceView) {
    let c = v.invoice.currency;
    let title = if v.invoice.is_credit_note() {
        "Credit note"
    } else {
        "Invoice"
    };
    println!(
        "{title} {} · {} · {:?}",
        v.label, v.client_name, v.invoice.status
    );
    if let Some(corrects) = &v.corrects {
        println!("Corrects invoice {corrects}");
    }
    if let Some(date) = v.invoice.issue_date {
        println!(
            "Issued {}, due {}",
            f.date(date),
            v.due_date.map(|d| f.date(d)).unwrap_or_default()
        );
    }
    match v.invoice.service_period {
        Some((day, last)) if day == last => println!("Service date {}", f.date(day)),
        Some(period) => println!("Service period {}", f.period(period)),
        None => {}
    }
    let mut table = Table::new(["#", "DESCRIPTION", "QTY", "PRICE", "TAX", "NET"]);
    for (i, (line, net)) in v.invoice.lines.iter().zip(&v.totals.line_net).enumerate() {
        table.row([
            (i + 1).to_string(),
            line.description.clone(),
            if line.worth.is_some() {
                format!("{} h", f.hours(line.quantity))
            } else {
                f.number_between(line.quantity, 0, 6)
            },
            f.number_between(line.unit_price, c.exponent(), c.exponent().max(6)),
            if line.tax.category == TaxCategory::Standard {
                f.percent(line.tax.percent)
            } else {
                line.tax.category.code().to_owned()
            },
            amount(f, *net, c),
        ]);
    }
    table.print_or("No lines.");
    if !v.totals.allowance_net.is_zero() {
        println!("Discount      {}", amount(f, -v.totals.allowance_net, c));
    }
    println!("Net            {}", amount(f, v.totals.net, c));
    for g in &v.totals.groups {
        println!(
            "Tax {:>3} {:>6} on {}: {}",
            g.category.code(),
            f.percent(g.percent),
            amount(f, g.taxable, c),
            amount(f, g.tax, c)
        );
    }
    println!("Total          {}", amount(f, v.totals.gross, c));
    if !v.paid.is_zero() {
        println!("Paid           {}", amount(f, v.paid, c));
        println!("Due            {}", amount(f, v.due, c));
    }
    for p in &v.invoice.payments {
        println!(
            "Payment of {} on {}{}{}",
            amount(f, p.amount, c),
            f.date(p.date),
            p.method
                .map(|m| format!(" by {}", m.label()))
                .unwrap_or_default(),
            if p.note.is_empty() {
                String::new()
            } else {
                format!(" · {}", p.note)
            }
        );
    }
    println!("Language       {}", v.language.code());
    if !v.texts.subject.is_empty() {
        println!("Subject        {}", v.texts.subject);
    }
    if !v.invoice.notes.is_empty() {
        println!("{}", v.invoice.notes);
    }
}

fn shown(cli: &Cli, ctx: &Ctx, v: &InvoiceView, message: &str) -> Result<()> {
    if cli.json {
        return print_json(v);
    }
    println!("{message}");
    print_invoice(&ctx.format()?, v);
    Ok(())
}

pub async fn billing(cli: &Cli, ctx: &mut Ctx, cmd: &BillingCmd) -> Result<()> {
    let by = ctx.by;
    match cmd {
        BillingCmd::Show => {
            let profile = ctx.engine.billing_profile(&by)?;
            if cli.json {
                return print_json(&profile);
            }
            let s = &profile.seller;
            println!(
                "{}\n{}\n{} {}\n{}",
                s.name, s.street, s.postcode, s.city, s.country
            );
            if let Some(vat) = &s.vat_id {
                println!("VAT id {vat}");
            }
            if let Some(bank) = &profile.bank {
                println!(
                    "Bank: {} · {} {}",
                    bank.holder,
                    bank.iban,
                    bank.bic.as_deref().unwrap_or("")
                );
            }
            println!(
                "Numbers: {}{}{} · pay within {} days · tax {} {} %",
                profile.numbering.pattern,
                if profile.numbering.yearly_reset {
                    ", yearly reset"
                } else {
                    ""
                },
                if profile.numbering.per_client {
                    ", per client"
                } else {
                    ""
                },
                profile.payment_days,
                profile.default_tax.category.code(),
                profile.default_tax.percent.normalize()
            );
            for rate in &profile.tax_rates {
                println!(
                    "Tax rate {:?}: {} {} %",
                    rate.name,
                    rate.tax.category.code(),
                    rate.tax.percent.normalize()
                );
            }
        }
        BillingCmd::Set {
            party,
            holder,
            iban,
            bic,
            pattern,
            yearly_reset,
            per_client,
            payment_days,
            tax,
            tax_category,
            prices_include_tax,
            round_tax_per_line,
            tax_rates,
            clear_tax_rates,
            legal,
            texts,
        } => {
            let mut profile = ctx.engine.billing_profile(&by)?;
            legal.apply(&mut profile.legal);
            let home = Language::of_locale(&ctx.engine.organization(&by)?.locale);
            texts.apply(&mut profile.texts, home)?;
            if *clear_tax_rates && !tax_rates.is_empty() {
                bail!("give either --tax-rate or --clear-tax-rates");
            }
            if *clear_tax_rates {
                profile.tax_rates.clear();
            } else if !tax_rates.is_empty() {
                profile.tax_rates = tax_rates
                    .iter()
                    .map(|r| named_rate(r))
                    .collect::<Result<_>>()?;
            }
            party.apply(&mut profile.seller);
            if holder.is_some() || iban.is_some() || bic.is_some() {
                let current = profile.bank.take();
                let holder = holder
                    .clone()
                    .or_else(|| current.as_ref().map(|b| b.holder.clone()));
                let iban = iban
                    .clone()
                    .or_else(|| current.as_ref().map(|b| b.iban.clone()));
                let (Some(holder), Some(iban)) = (holder, iban) else {
                    bail!("bank details need both --holder and --iban");
                };
                profile.bank = Some(BankAccount {
                    holder,
                    iban,
                    bic: bic.clone().or(current.and_then(|b| b.bic)),
                });
            }
            if let Some(p) = pattern {
                profile.numbering.pattern = p.clone();
            }
            if let Some(v) = yearly_reset {
                profile.numbering.yearly_reset = *v;
            }
            if let Some(v) = per_client {
                profile.numbering.per_client = *v;
            }
            if let Some(v) = payment_days {
                profile.payment_days = *v;
            }
            if let Some(t) = tax_from(*tax, tax_category.as_deref())? {
                profile.default_tax = t;
            }
            if let Some(v) = prices_include_tax {
                profile.tax_mode = if *v {
                    TaxMode::Inclusive
                } else {
                    TaxMode::Exclusive
                };
            }
            if let Some(v) = round_tax_per_line {
                profile.tax_rounding = if *v {
                    TaxRounding::PerLine
                } else {
                    TaxRounding::PerDocument
                };
            }
            let id = profile.id;
            ctx.engine.save_billing_profile(&by, profile).await?;
            done(cli, id, "Saved the billing profile")?;
        }
        BillingCmd::Client {
            client,
            party,
            prefix,
            payment_days,
            tax,
            tax_category,
            buyer_reference,
            language,
        } => {
            let client = ctx.engine.find_client(by.org, client)?;
            let mut details = ctx.engine.client_billing(&by, client)?;
            let changing = party.any()
                || language.is_some()
                || prefix.is_some()
                || payment_days.is_some()
                || tax.is_some()
                || tax_category.is_some()
                || buyer_reference.is_some();
            if !changing {
                if cli.json {
                    return print_json(&details);
                }
                let b = &details.buyer;
                println!(
                    "{}\n{}\n{} {}\n{}",
                    b.name, b.street, b.postcode, b.city, b.country
                );
                if let Some(vat) = &b.vat_id {
                    println!("VAT id {vat}");
                }
                return Ok(());
            }
            party.apply(&mut details.buyer);
            if let Some(p) = prefix {
                details.prefix = p.clone();
            }
            if payment_days.is_some() {
                details.payment_days = *payment_days;
            }
            if let Some(t) = tax_from(*tax, tax_category.as_deref())? {
                details.tax = Some(t);
            }
            if let Some(r) = buyer_reference {
                details.buyer_reference = Some(r.clone());
            }
            match language.as_deref().map(str::trim) {
                None => {}
                Some("default") => details.language = None,
                Some(l) => details.language = Some(l.parse()?),
            }
            let id = details.id;
            ctx.engine.save_client_billing(&by, details).await?;
            done(cli, id, "Saved the client's billing details")?;
        }
    }
    Ok(())
}

pub async fn invoice(cli: &Cli, ctx: &mut Ctx, cmd: &InvoiceCmd) -> Result<()> {
    let by = ctx.by;
    let today = ctx.today()?;
    let find = |ctx: &Ctx, reference: &str| ctx.engine.find_invoice(by.org, reference);
    match cmd {
        InvoiceCmd::Create {
            client,
            from,
            to,
            grouping,
            detail,
            no_time,
            expenses,
            lines,
        } => {
            let client = ctx.engine.find_client(by.org, client)?;
            let tax = ctx.engine.client_tax(&by, client)?;
            let input = NewInvoice {
                client: Some(client),
                from: from.as_deref().map(|d| parse::date(d, today)).transpose()?,
                to: to.as_deref().map(|d| parse::date(d, today)).transpose()?,
                grouping: grouping.parse()?,
                detail: detail.parse()?,
                include_time: !no_time,
                include_expenses: *expenses,
                lines: lines
                    .iter()
                    .map(|l| typed_line(l, tax))
                    .collect::<Result<_>>()?,
            };
            let v = ctx.engine.create_invoice(&by, input).await?;
            shown(cli, ctx, &v, "Created a draft")?;
        }
        InvoiceCmd::List {
            status: wanted,
            overdue,
            client,
        } => {
            let filter = InvoiceFilter {
                status: wanted.as_deref().map(status).transpose()?,
                overdue: *overdue,
                client: client
                    .as_deref()
                    .map(|c| ctx.engine.find_client(by.org, c))
                    .transpose()?,
            };
            let list = ctx.engine.invoices(&by, &filter)?;
            if cli.json {
                return print_json(&list);
            }
            let f = ctx.format()?;
            let mut table = Table::new([
                "NUMBER", "CLIENT", "ISSUED", "DUE", "STATUS", "TOTAL", "OPEN", "ID",
            ]);
            let mut open: std::collections::BTreeMap<Currency, Decimal> = Default::default();
            for v in &list {
                let c = v.invoice.currency;
                *open.entry(c).or_default() += v.due;
                table.row([
                    v.label.clone(),
                    v.client_name.clone(),
                    v.invoice.issue_date.map(|d| f.date(d)).unwrap_or_default(),
                    v.due_date.map(|d| f.date(d)).unwrap_or_default(),
                    format!(
                        "{:?}{}",
                        v.invoice.status,
                        if v.overdue { " (overdue)" } else { "" }
                    ),
                    amount(&f, v.totals.gross, c),
                    amount(&f, v.due, c),
                    v.invoice.id.to_string(),
                ]);
            }
            table.print_or("No invoices.");
            for (c, due) in open.iter().filter(|(_, d)| !d.is_zero()) {
                println!("Open: {}", amount(&f, *due, *c));
            }
        }
        InvoiceCmd::Problems => {
            let problems = ctx.engine.billing_problems(&by)?;
            if cli.json {
                return print_json(&problems);
            }
            let mut table = Table::new(["INVOICE", "WORK", "PROBLEM"]);
            for p in &problems {
                let work = match p.work {
                    Work::Entry(id) => format!("time entry {id}"),
                    Work::Expense(id) => format!("expense {id}"),
                };
                let problem = match &p.problem {
                    BillingProblemKind::ChangedSince => {
                        "changed after it was invoiced: the invoice bills it as it was".to_owned()
                    }
                    BillingProblemKind::MarkedElsewhere { other: Some(other) } => {
                        format!("also billed by {other}: remove it from one of them")
                    }
                    BillingProblemKind::MarkedElsewhere { other: None } => {
                        "released by another device: check the invoice's lines".to_owned()
                    }
                };
                table.row([p.label.clone(), work, problem]);
            }
            table.print_or("No billed work needs a look.");
        }
        InvoiceCmd::Show { invoice } => {
            let v = ctx.engine.invoice(&by, find(ctx, invoice)?)?;
            if cli.json {
                return print_json(&v);
            }
            print_invoice(&ctx.format()?, &v);
        }
        InvoiceCmd::Edit {
            invoice,
            add_lines,
            remove_lines,
            discount: new_discount,
            no_discount,
            line_tax: line_tax_name,
            notes,
            payment_days,
            prices_include_tax,
            round_tax_per_line,
            language,
            subject,
            intro,
            closing,
            default_texts,
        } => {
            let id = find(ctx, invoice)?;
            let current = ctx.engine.invoice(&by, id)?;
            let language: Option<Language> = language.as_deref().map(str::parse).transpose()?;
            let texts_given = subject.is_some() || intro.is_some() || closing.is_some();
            if texts_given && *default_texts {
                bail!("give either --subject/--intro/--closing or --default-texts");
            }
            let texts = texts_given.then(|| {
                let mut texts = current.texts.clone();
                if let Some(v) = subject {
                    texts.subject = v.clone();
                }
                if let Some(v) = intro {
                    texts.intro = v.clone();
                }
                if let Some(v) = closing {
                    texts.closing = v.clone();
                }
                texts
            });
            let tax = match line_tax_name {
                Some(name) => line_tax(&ctx.engine.billing_profile(&by)?, name)?,
                None => ctx.engine.client_tax(&by, current.invoice.client)?,
            };
            if remove_lines.contains(&0) {
                bail!("lines are numbered from 1");
            }
            let edit = InvoiceEdit {
                add_lines: add_lines
                    .iter()
                    .map(|l| typed_line(l, tax))
                    .collect::<Result<_>>()?,
                remove_lines: remove_lines.iter().map(|n| n - 1).collect(),
                discount: match (new_discount, no_discount) {
                    (Some(_), true) => bail!("give either --discount or --no-discount"),
                    (Some(d), false) => Some(discount(d)?),
                    _ => None,
                },
                clear_discount: *no_discount,
                notes: notes.clone(),
                payment_days: *payment_days,
                tax_mode: prices_include_tax.map(|v| {
                    if v {
                        TaxMode::Inclusive
                    } else {
                        TaxMode::Exclusive
                    }
                }),
                tax_rounding: round_tax_per_line.map(|v| {
                    if v {
                        TaxRounding::PerLine
                    } else {
                        TaxRounding::PerDocument
                    }
                }),
                language,
                texts,
                default_texts: *default_texts,
            };
            let v = ctx.engine.edit_invoice(&by, id, edit).await?;
            shown(cli, ctx, &v, "Changed the draft")?;
        }
        InvoiceCmd::Issue { invoice, date } => {
            let id = find(ctx, invoice)?;
            let date = date.as_deref().map(|d| parse::date(d, today)).transpose()?;
            // In a synced organization the server gives out the number.
            let v = if ctx.engine.is_synced(by.org).await? {
                let t = crate::sync::transport(&ctx.engine).await?;
                ctx.engine.issue_invoice_online(&t, &by, id, date).await?
            } else {
                ctx.engine.issue_invoice(&by, id, date).await?
            };
            shown(cli, ctx, &v, &format!("Issued {}", v.label))?;
        }
        InvoiceCmd::Pay {
            invoice,
            amount: paid,
            date,
            note,
            method,
        } => {
            let id = find(ctx, invoice)?;
            let date = date.as_deref().map(|d| parse::date(d, today)).transpose()?;
            let method = method.as_deref().map(str::parse).transpose()?;
            let v = ctx
                .engine
                .record_payment(&by, id, paid, date, method, note)
                .await?;
            let c = v.invoice.currency;
            let f = ctx.format()?;
            shown(
                cli,
                ctx,
                &v,
                &format!(
                    "Recorded {}; {} still due",
                    // The engine took the amount, so it reads as a number.
                    paid.trim()
                        .parse()
                        .map(|p| amount(&f, p, c))
                        .unwrap_or_else(|_| paid.clone()),
                    amount(&f, v.due, c)
                ),
            )?;
        }
        InvoiceCmd::Void { invoice, reason } => {
            let id = find(ctx, invoice)?;
            let v = ctx.engine.void_invoice(&by, id, reason).await?;
            shown(
                cli,
                ctx,
                &v,
                &format!("Voided {}; its work is billable again", v.label),
            )?;
        }
        InvoiceCmd::Credit { invoice } => {
            let id = find(ctx, invoice)?;
            let v = ctx.engine.credit_invoice(&by, id).await?;
            shown(cli, ctx, &v, "Created a draft credit note")?;
        }
        InvoiceCmd::Delete { invoice } => {
            let id = find(ctx, invoice)?;
            ctx.engine.delete_invoice(&by, id).await?;
            done(cli, id, "Deleted the draft")?;
        }
        InvoiceCmd::Pdf {
            invoice,
            output,
            plain,
            letter,
        } => {
            let id = find(ctx, invoice)?;
            let format = if *plain {
                InvoiceFormat::PlainPdf
            } else {
                InvoiceFormat::Pdf
            };
            let paper = if *letter {
                PaperSize::Letter
            } else {
                PaperSize::A4
            };
            let file = ctx.engine.invoice_file(&by, id, format, paper)?;
            let path = save(output.as_deref(), &file.file_name, &file.bytes)?;
            if let Some(problem) = &file.e_invoice_problem {
                eprintln!(
                    "stint: note: saved a PDF without the e-invoice inside, because {problem}"
                );
            }
            saved(cli, &path)?;
        }
        InvoiceCmd::Xml {
            invoice,
            xrechnung,
            output,
        } => {
            let id = find(ctx, invoice)?;
            let format = if *xrechnung {
                InvoiceFormat::XRechnung
            } else {
                InvoiceFormat::FacturXXml
            };
            let file = ctx.engine.invoice_file(&by, id, format, PaperSize::A4)?;
            let path = save(output.as_deref(), &file.file_name, &file.bytes)?;
            saved(cli, &path)?;
        }
        InvoiceCmd::Recurring(cmd) => recurring(cli, ctx, cmd, today).await?,
        InvoiceCmd::Export {
            dir,
            status: wanted,
            format,
        } => {
            let format = match format.as_str() {
                "pdf" => InvoiceFormat::Pdf,
                "xml" => InvoiceFormat::FacturXXml,
                other => bail!("{other:?} is not an export format (use pdf or xml)"),
            };
            let filter = InvoiceFilter {
                status: wanted.as_deref().map(status).transpose()?,
                ..Default::default()
            };
            let list = ctx.engine.invoices(&by, &filter)?;
            if format == InvoiceFormat::FacturXXml
                && list
                    .iter()
                    .any(|v| v.invoice.status == InvoiceStatus::Draft)
            {
                bail!("drafts have no e-invoice; export with --status issued (or paid) or as pdf");
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let bar = crate::progress_bar("Exporting invoices");
            bar.set_length(list.len() as u64);
            for v in &list {
                let file = ctx
                    .engine
                    .invoice_file(&by, v.invoice.id, format, PaperSize::A4)?;
                save(Some(dir), &file.file_name, &file.bytes)?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            if cli.json {
                return print_json(&serde_json::json!({ "exported": list.len(), "dir": dir }));
            }
            println!("Saved {} invoices to {}", list.len(), dir.display());
        }
    }
    Ok(())
}

async fn recurring(
    cli: &Cli,
    ctx: &mut Ctx,
    cmd: &RecurringCmd,
    today: jiff::civil::Date,
) -> Result<()> {
    let by = ctx.by;
    let series_id = |id: &str| -> Result<RecurringId> { Ok(id.parse::<RecurringId>()?) };
    match cmd {
        RecurringCmd::Add {
            client,
            every,
            start,
            until,
            lines,
        } => {
            let client = ctx.engine.find_client(by.org, client)?;
            let tax = ctx.engine.client_tax(&by, client)?;
            let input = NewRecurring {
                client,
                lines: lines
                    .iter()
                    .map(|l| typed_line(l, tax))
                    .collect::<Result<_>>()?,
                every: every.parse()?,
                start: start
                    .as_deref()
                    .map(|d| parse::date(d, today))
                    .transpose()?
                    .unwrap_or(today),
                until: until
                    .as_deref()
                    .map(|d| parse::date(d, today))
                    .transpose()?,
            };
            let id = ctx.engine.add_recurring(&by, input).await?;
            done(cli, id, "Started the recurring invoice")?;
        }
        RecurringCmd::List => {
            let list = ctx.engine.recurring(&by)?;
            if cli.json {
                return print_json(&list);
            }
            let clients = ctx.engine.clients(&by, true)?;
            let mut table = Table::new(["CLIENT", "EVERY", "NEXT", "MADE", "ACTIVE", "ID"]);
            for r in list {
                table.row([
                    clients
                        .iter()
                        .find(|c| c.id == r.client)
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    match r.every {
                        Every::Weeks(n) => format!("{n} week(s)"),
                        Every::Months(n) => format!("{n} month(s)"),
                    },
                    r.next()
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "ended".into()),
                    r.made.to_string(),
                    if r.active {
                        "yes".into()
                    } else {
                        "paused".into()
                    },
                    r.id.to_string(),
                ]);
            }
            table.print_or("No recurring invoices.");
        }
        RecurringCmd::Run => {
            let made = ctx.engine.run_recurring(&by).await?;
            if cli.json {
                return print_json(&made);
            }
            let f = ctx.format()?;
            for v in &made {
                println!(
                    "Made {} for {} ({})",
                    v.label,
                    v.client_name,
                    amount(&f, v.totals.gross, v.invoice.currency),
                );
            }
            println!("{} draft(s) made", made.len());
        }
        RecurringCmd::Pause { id } => {
            ctx.engine
                .set_recurring_active(&by, series_id(id)?, false)
                .await?;
            done(cli, id, "Paused")?;
        }
        RecurringCmd::Resume { id } => {
            ctx.engine
                .set_recurring_active(&by, series_id(id)?, true)
                .await?;
            done(cli, id, "Resumed")?;
        }
    }
    Ok(())
}
