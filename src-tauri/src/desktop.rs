//! What a desktop app does beyond its window: a status-area (tray) icon that shows whether a timer
//! runs and starts or stops it, a global shortcut for the same, and one place that tells the
//! window when the timer changed from outside it.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::Shell;
use stint_domain::{Action, Scope};
use stint_engine::StartTimer;

/// The global shortcut that starts or stops the timer.
pub const TOGGLE_SHORTCUT: &str = "ctrl+alt+space";

/// Sent to the window after the tray or the shortcut started or stopped the timer.
pub const TIMER_CHANGED: &str = "timer-changed";

/// WebKitGTK's switch for compositing; set, WebKit paints pages in software without it.
const NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether to paint without compositing: only when the machine has no GPU (no DRM render node
/// under `dri`: a virtual machine, a remote desktop, CI under Xvfb), and only when the person
/// running the app left WebKit's switch alone (`user_choice`).
///
/// WebKitGTK composites through OpenGL. Without a GPU that OpenGL is Mesa's software rasterizer,
/// and compositing through it costs more per frame than WebKit's own software painting: on B8's
/// 100,000-entry vault the longest frame of the report fell from 90 to 42 ms and of scrolling it
/// from 63 to 18 ms. With a GPU, compositing is what keeps scrolling smooth, so it stays on.
pub fn paint_without_compositing(dri: &std::path::Path, user_choice: bool) -> bool {
    if user_choice {
        return false;
    }
    let has_render_node = std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    !has_render_node
}

/// Applies [`paint_without_compositing`] to the window's web view: its hardware acceleration
/// policy becomes Never. WebKit's environment switch would do the same, but it delays the first
/// page load by half a second (launch to interactive went from 0.7 to 1.2 s); the policy, set once
/// the web view exists, costs nothing at launch.
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
pub fn choose_painting(window: &tauri::WebviewWindow) {
    let user_choice = std::env::var_os(NO_COMPOSITING).is_some();
    if !paint_without_compositing(std::path::Path::new("/dev/dri"), user_choice) {
        return;
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    }) {
        eprintln!("stint: the window paints with compositing: {e}");
    }
}

/// The tray icon and the menu item whose text follows the timer.
pub struct Tray {
    icon: TrayIcon<Wry>,
    toggle: MenuItem<Wry>,
    /// The app's icon, and the same with a green dot for "a timer runs".
    idle_image: Option<Image<'static>>,
    running_image: Option<Image<'static>>,
    /// What the tray shows now: whether a timer runs, and the label beside the icon.
    shown: std::sync::Mutex<(bool, String)>,
}

impl Tray {
    /// Show whether a timer runs (the icon) and for how long (the label beside it, "1:05", where the
    /// desktop shows tray labels). Only what changed is sent to the desktop.
    fn show(&self, running: bool, label: String) {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if shown.0 != running {
            let image = if running {
                &self.running_image
            } else {
                &self.idle_image
            };
            if let Some(image) = image {
                let _ = self.icon.set_icon(Some(image.clone()));
            }
        }
        if shown.1 != label {
            let _ = self
                .icon
                .set_title(if label.is_empty() { None } else { Some(&label) });
        }
        *shown = (running, label);
    }
}

/// A running timer's length as the tray label shows it: hours and minutes, "0:07", "12:30".
pub fn tray_label(start: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let minutes = now.duration_since(start).as_secs().max(0) / 60;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// `icon` with a green dot, ringed in white, in its lower right corner: the tray's sign that a
/// timer runs (Linux status areas show no tooltip, so the icon itself must tell).
pub fn running_badge(icon: &Image<'_>) -> Image<'static> {
    const GREEN: [u8; 4] = [0x40, 0xc0, 0x57, 0xff];
    const WHITE: [u8; 4] = [0xff, 0xff, 0xff, 0xff];
    let (width, height) = (icon.width(), icon.height());
    let mut rgba = icon.rgba().to_vec();
    let size = width.min(height) as f32;
    let (radius, ring) = (size * 0.22, size * 0.07);
    let centre = |extent: u32| extent as f32 - radius - ring;
    let (cx, cy) = (centre(width), centre(height));
    for y in 0..height {
        for x in 0..width {
            let distance = (x as f32 + 0.5 - cx).hypot(y as f32 + 0.5 - cy);
            let colour = if distance <= radius {
                GREEN
            } else if distance <= radius + ring {
                WHITE
            } else {
                continue;
            };
            let at = ((y * width + x) * 4) as usize;
            rgba[at..at + 4].copy_from_slice(&colour);
        }
    }
    Image::new_owned(rgba, width, height)
}

/// Build the tray icon. Fails where the desktop has no status area; the app runs on without one.
pub fn tray(app: &AppHandle) -> tauri::Result<Tray> {
    let toggle = MenuItem::with_id(app, "toggle", "Start timer", false, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show Stint", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Stint", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&toggle, &show, &separator, &quit])?;
    let mut builder = TrayIconBuilder::with_id("stint")
        .tooltip("Stint: no timer running")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "toggle" => toggle_timer(app.clone()),
            "show" => {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        });
    let idle_image = app
        .default_window_icon()
        .map(|icon| icon.clone().to_owned());
    if let Some(icon) = &idle_image {
        builder = builder.icon(icon.clone());
    }
    Ok(Tray {
        icon: builder.build(app)?,
        toggle,
        running_image: idle_image.as_ref().map(running_badge),
        idle_image,
        shown: std::sync::Mutex::new((false, String::new())),
    })
}

/// Register the start/stop shortcut. Fails where the display server does not allow global keys
/// (some Wayland compositors); the app runs on without it.
pub fn register_shortcut(app: &AppHandle) -> Result<(), String> {
    app.global_shortcut()
        .on_shortcut(TOGGLE_SHORTCUT, |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                toggle_timer(app.clone());
            }
        })
        .map_err(|e| e.to_string())
}

/// Whether `by`'s role may start a timer (a Viewer's may not: the tray offers nothing to start).
fn may_track(engine: &stint_engine::Engine, by: &stint_engine::ActAs) -> bool {
    engine.permissions(by).is_ok_and(|p| {
        p.grants
            .iter()
            .any(|g| g.action == Action::EditTimeEntry && g.scope != Scope::None)
    })
}

/// Stop the running timer, or start one on the last project used (without a project when none
/// was used yet: it is assigned later); then tell the window and the tray. Nothing happens while
/// the vault is locked or no organization is chosen, or for a role that may not track time.
pub fn toggle_timer(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        let mut session = shell.session.lock().await;
        let Ok((engine, by)) = session.acting() else {
            return;
        };
        let result = match engine.running_timer(&by) {
            Ok(Some(_)) => engine.stop_timer(&by).await.map(|_| ()),
            Ok(None) if !may_track(engine, &by) => return,
            Ok(None) => match engine.last_project(&by) {
                Ok(project) => engine
                    .start_timer(
                        &by,
                        StartTimer {
                            project,
                            task: None,
                            note: String::new(),
                            billable: None,
                            tags: Vec::new(),
                        },
                    )
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        drop(session);
        if let Err(e) = result {
            eprintln!("stint: the timer could not be toggled: {e}");
        }
        let _ = app.emit(TIMER_CHANGED, ());
        refresh_tray(&app).await;
    });
}

/// Make the tray say whether a timer runs, and on what.
pub async fn refresh_tray(app: &AppHandle) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let shell = app.state::<Shell>();
    let mut session = shell.session.lock().await;
    let mut running = None;
    let (tooltip, item, enabled) = match session.acting() {
        Ok((engine, by)) => match engine.running_timer(&by) {
            Ok(Some(view)) => {
                if let stint_domain::EntryTime::Running { start } = view.entry.time {
                    running = Some(start);
                }
                if view.entry.project.is_none() {
                    (
                        "Stint: timer running, no project yet".to_owned(),
                        "Stop timer".to_owned(),
                        true,
                    )
                } else {
                    (
                        format!("Stint: timer running on {}", view.project_name),
                        format!("Stop timer on {}", view.project_name),
                        true,
                    )
                }
            }
            _ => match engine.last_project(&by).ok().flatten() {
                Some(project) => {
                    let name = engine
                        .projects(&by, false)
                        .ok()
                        .and_then(|list| list.into_iter().find(|p| p.project.id == project))
                        .map(|p| p.project.name)
                        .unwrap_or_default();
                    (
                        "Stint: no timer running".to_owned(),
                        format!("Start timer on {name}"),
                        true,
                    )
                }
                None => (
                    "Stint: no timer running".to_owned(),
                    "Start timer (no project yet)".to_owned(),
                    may_track(engine, &by),
                ),
            },
        },
        Err(_) => ("Stint: locked".to_owned(), "Start timer".to_owned(), false),
    };
    drop(session);
    let _ = tray.icon.set_tooltip(Some(&tooltip));
    let _ = tray.toggle.set_text(item);
    let _ = tray.toggle.set_enabled(enabled);
    tray.show(
        running.is_some(),
        running.map_or_else(String::new, |start| {
            tray_label(start, jiff::Timestamp::now())
        }),
    );
}

/// Sent when the user is back after time away while a timer ran: `{ since, minutes }`.
pub const IDLE_RETURNED: &str = "idle-returned";

/// Sent once per timer when it has run longer than the reminder length: `{ minutes, project }`.
pub const TIMER_REMINDER: &str = "timer-reminder";

/// How long without input counts as away, and after how long a running timer is worth a reminder
/// (minutes; 0 turns a check off). The window sends these from its settings.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
pub struct WatchSettings {
    pub idle_minutes: u32,
    pub remind_after_minutes: u32,
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            idle_minutes: 10,
            remind_after_minutes: 8 * 60,
        }
    }
}

/// State of the watch over idle time, sleep and long timers.
#[derive(Default)]
pub struct Watch {
    pub settings: std::sync::Mutex<WatchSettings>,
}

#[derive(Clone, serde::Serialize)]
struct IdleReturned {
    since: String,
    minutes: u64,
}

#[derive(Clone, serde::Serialize)]
struct Reminder {
    minutes: u64,
    project: String,
}

/// Seconds since the last keyboard or mouse input on this display, where the platform says.
fn input_idle_seconds() -> Option<u64> {
    user_idle::UserIdle::get_time()
        .ok()
        .map(|idle| idle.as_seconds())
}

/// What the watch keeps between its ticks about time away from a running timer.
///
/// Time away is no keyboard or mouse input for the configured time, the machine asleep (a
/// suspended machine's monotonic clock stands still while the wall clock moves on, so a tick whose
/// wall-clock step exceeds its monotonic step by more than [`Away::SLEEP_SLACK_SECS`] seconds
/// slept), or the screen locked for at least [`Away::LOCK_MIN_SECS`] seconds (input at the lock
/// screen does not count as being back).
#[derive(Debug)]
pub struct Away {
    last_wall: jiff::Timestamp,
    last_mono: std::time::Instant,
    since: Option<jiff::Timestamp>,
    locked_since: Option<jiff::Timestamp>,
}

/// The user is back after time away while a timer ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Returned {
    /// Start of the time away (never before the timer started).
    pub since: jiff::Timestamp,
    /// Whole minutes away.
    pub minutes: u64,
}

impl Away {
    /// How much more the wall clock may move than the monotonic one in a tick before it counts as
    /// sleep (clock adjustments by NTP are far smaller).
    pub const SLEEP_SLACK_SECS: f64 = 60.0;

    /// A screen locked for less than this is a short break, not time away.
    pub const LOCK_MIN_SECS: i64 = 60;

    pub fn new(wall: jiff::Timestamp, mono: std::time::Instant) -> Self {
        Away {
            last_wall: wall,
            last_mono: mono,
            since: None,
            locked_since: None,
        }
    }

    /// One tick at `wall`/`mono`. `input_idle` is the seconds without input where the platform
    /// says, `locked` whether the screen is locked, `threshold` the seconds that count as away
    /// (`None`: detection off), and `timer_start` the running timer's start (`None`: no timer).
    /// Returns the time away once the user is back.
    pub fn tick(
        &mut self,
        wall: jiff::Timestamp,
        mono: std::time::Instant,
        input_idle: Option<u64>,
        locked: bool,
        threshold: Option<u64>,
        timer_start: Option<jiff::Timestamp>,
    ) -> Option<Returned> {
        let wall_step = wall.duration_since(self.last_wall).as_secs_f64();
        let mono_step = mono.duration_since(self.last_mono).as_secs_f64();
        let slept = wall_step - mono_step > Self::SLEEP_SLACK_SECS;
        let slept_from = self.last_wall;
        self.last_wall = wall;
        self.last_mono = mono;

        let (Some(start), Some(threshold)) = (timer_start, threshold) else {
            self.since = None;
            self.locked_since = None;
            return None;
        };
        if slept {
            self.since = Some(self.since.map_or(slept_from, |s| s.min(slept_from)));
        }
        if locked {
            // Locked some time since the last tick; count from that tick.
            self.locked_since.get_or_insert(slept_from);
            return None;
        }
        if let Some(locked_since) = self.locked_since.take()
            && wall.duration_since(locked_since).as_secs() >= Self::LOCK_MIN_SECS
        {
            self.since = Some(self.since.map_or(locked_since, |s| s.min(locked_since)));
        }
        match input_idle {
            Some(seconds) if seconds >= threshold => {
                let began = wall - jiff::SignedDuration::from_secs(seconds as i64);
                self.since = Some(self.since.map_or(began, |s| s.min(began)));
                None
            }
            _ => self.since.take().map(|since| {
                let since = since.max(start);
                Returned {
                    since,
                    minutes: wall.duration_since(since).as_secs().max(0) as u64 / 60,
                }
            }),
        }
    }
}

/// Whether the screen is locked, as far as the desktop says: its screen locker on the session bus
/// (`GetActive` of `org.freedesktop.ScreenSaver`, as KDE's, XFCE's and LXQt's offer, or of
/// `org.gnome.ScreenSaver`), or logind's `LockedHint` for this user's session on the system bus,
/// which the lockers of GNOME, KDE, Cinnamon and light-locker set. False where none answers.
fn screen_locked(
    session: Option<&dbus::blocking::Connection>,
    system: Option<&dbus::blocking::Connection>,
) -> bool {
    const TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);
    const LOCKERS: [(&str, &str); 2] = [
        (
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
        ),
        ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
    ];
    let locker_says = session.is_some_and(|bus| {
        LOCKERS.iter().any(|(name, path)| {
            bus.with_proxy(*name, *path, TIMEOUT)
                .method_call::<(bool,), _, _, _>(*name, "GetActive", ())
                .is_ok_and(|(active,)| active)
        })
    });
    locker_says
        || system.is_some_and(|bus| {
            use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;
            // "auto": the caller's session, or the user's graphical one when the app was started
            // outside it (by a user service, say).
            bus.with_proxy(
                "org.freedesktop.login1",
                "/org/freedesktop/login1/session/auto",
                TIMEOUT,
            )
            .get::<bool>("org.freedesktop.login1.Session", "LockedHint")
            .unwrap_or(false)
        })
}

/// Every few seconds: notice time away (see [`Away`]), tell the window when the user is back, and
/// remind once when a timer has run long.
pub fn watch(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        const TICK: std::time::Duration = std::time::Duration::from_secs(3);
        let mut away = Away::new(jiff::Timestamp::now(), std::time::Instant::now());
        let session_bus = dbus::blocking::Connection::new_session().ok();
        let system_bus = dbus::blocking::Connection::new_system().ok();
        let mut reminded: Option<stint_domain::EntryId> = None;
        loop {
            tokio::time::sleep(TICK).await;
            let now = jiff::Timestamp::now();
            let settings = *app
                .state::<Watch>()
                .settings
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let running = {
                let shell = app.state::<Shell>();
                let mut session = shell.session.lock().await;
                match session.acting() {
                    Ok((engine, by)) => engine.running_timer(&by).ok().flatten(),
                    Err(_) => None,
                }
            };
            let start = running.as_ref().and_then(|timer| match timer.entry.time {
                stint_domain::EntryTime::Running { start } => Some(start),
                _ => None,
            });
            let threshold =
                (settings.idle_minutes > 0).then(|| u64::from(settings.idle_minutes) * 60);
            let watching = start.is_some() && threshold.is_some();
            let idle = if watching { input_idle_seconds() } else { None };
            let locked = watching && screen_locked(session_bus.as_ref(), system_bus.as_ref());
            if let Some(back) = away.tick(
                now,
                std::time::Instant::now(),
                idle,
                locked,
                threshold,
                start,
            ) {
                let _ = app.emit(
                    IDLE_RETURNED,
                    IdleReturned {
                        since: back.since.to_string(),
                        minutes: back.minutes,
                    },
                );
            }

            if let Some(tray) = app.try_state::<Tray>() {
                tray.show(
                    start.is_some(),
                    start.map_or_else(String::new, |start| tray_label(start, now)),
                );
            }

            let (Some(timer), Some(start)) = (running, start) else {
                continue;
            };
            if settings.remind_after_minutes > 0 && reminded != Some(timer.entry.id) {
                let minutes = now.duration_since(start).as_secs().max(0) as u64 / 60;
                if minutes >= u64::from(settings.remind_after_minutes) {
                    reminded = Some(timer.entry.id);
                    let _ = app.emit(
                        TIMER_REMINDER,
                        Reminder {
                            minutes,
                            project: timer.project_name.clone(),
                        },
                    );
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::{SignedDuration, Timestamp};
    use std::time::{Duration, Instant};

    #[test]
    fn pages_are_composited_only_with_a_gpu_or_as_the_user_chose() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        // No /dev/dri at all (a container, Xvfb on a server): software painting.
        assert!(paint_without_compositing(&dri, false));
        // A display card node alone renders nothing: still no GPU to composite with.
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), b"").unwrap();
        assert!(paint_without_compositing(&dri, false));
        // A render node: a GPU, so WebKit composites as it would.
        std::fs::write(dri.join("renderD128"), b"").unwrap();
        assert!(!paint_without_compositing(&dri, false));
        // Whatever the user set is left alone.
        std::fs::remove_file(dri.join("renderD128")).unwrap();
        assert!(!paint_without_compositing(&dri, true));
    }

    const TEN_MINUTES: Option<u64> = Some(600);

    /// A watch started at `t0` on both clocks, with a way to step them.
    struct Clocks {
        wall: Timestamp,
        mono: Instant,
    }

    impl Clocks {
        fn new() -> Self {
            Clocks {
                wall: "2026-11-30T09:00:00Z".parse().unwrap(),
                mono: Instant::now(),
            }
        }
        /// Both clocks move on (awake).
        fn awake(&mut self, secs: u64) {
            self.wall += SignedDuration::from_secs(secs as i64);
            self.mono += Duration::from_secs(secs);
        }
        /// Only the wall clock moves on (the machine is suspended, or the clock is set).
        fn asleep(&mut self, secs: u64) {
            self.wall += SignedDuration::from_secs(secs as i64);
        }
        fn tick(
            &self,
            away: &mut Away,
            idle: Option<u64>,
            start: Option<Timestamp>,
        ) -> Option<Returned> {
            away.tick(self.wall, self.mono, idle, false, TEN_MINUTES, start)
        }
        fn tick_locked(
            &self,
            away: &mut Away,
            idle: Option<u64>,
            start: Option<Timestamp>,
        ) -> Option<Returned> {
            away.tick(self.wall, self.mono, idle, true, TEN_MINUTES, start)
        }
    }

    #[test]
    fn the_running_icon_has_a_green_dot_in_its_corner_and_is_otherwise_the_same() {
        let (width, height) = (64u32, 64u32);
        let blue: Vec<u8> = [0x20, 0x40, 0xc0, 0xff].repeat((width * height) as usize);
        let icon = Image::new(&blue, width, height);
        let badged = running_badge(&icon);
        assert_eq!((badged.width(), badged.height()), (width, height));
        let pixel = |x: u32, y: u32| {
            let at = ((y * width + x) * 4) as usize;
            badged.rgba()[at..at + 4].to_vec()
        };
        // The dot's centre is green, its rim white, the rest of the icon untouched.
        let centre = (64.0 - 64.0 * 0.22 - 64.0 * 0.07) as u32;
        assert_eq!(pixel(centre, centre), [0x40, 0xc0, 0x57, 0xff]);
        assert_eq!(pixel(centre, 63), [0xff, 0xff, 0xff, 0xff]);
        for (x, y) in [(0, 0), (63, 0), (0, 63), (20, 20), (32, 10)] {
            assert_eq!(pixel(x, y), [0x20, 0x40, 0xc0, 0xff], "pixel {x},{y}");
        }
        let changed = badged
            .rgba()
            .chunks(4)
            .filter(|p| p != &[0x20, 0x40, 0xc0, 0xff])
            .count();
        assert!((200..1200).contains(&changed), "{changed} pixels changed");
    }

    #[test]
    fn the_tray_label_counts_hours_and_minutes() {
        let start: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
        let at = |secs: i64| tray_label(start, start + SignedDuration::from_secs(secs));
        assert_eq!(at(0), "0:00");
        assert_eq!(at(59), "0:00");
        assert_eq!(at(7 * 60 + 5), "0:07");
        assert_eq!(at(12 * 3600 + 30 * 60), "12:30");
        // A clock that went back never shows a negative time.
        assert_eq!(at(-90), "0:00");
    }

    #[test]
    fn idle_input_past_the_threshold_is_reported_once_the_user_is_back() {
        let mut clocks = Clocks::new();
        let start = clocks.wall - SignedDuration::from_hours(1);
        let mut away = Away::new(clocks.wall, clocks.mono);
        // Working: the last input was a second ago.
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(1), Some(start)), None);
        let last_input = clocks.wall - SignedDuration::from_secs(1);
        // 20 minutes without input: away, but nothing is reported while still away.
        for _ in 0..400 {
            clocks.awake(3);
            let idle = clocks.wall.duration_since(last_input).as_secs() as u64;
            assert_eq!(clocks.tick(&mut away, Some(idle), Some(start)), None);
        }
        // Back: away since the last input.
        clocks.awake(3);
        let back = clocks
            .tick(&mut away, Some(0), Some(start))
            .expect("reported");
        assert_eq!(back.since, last_input);
        assert_eq!(back.minutes, 20);
        // Reported once.
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(3), Some(start)), None);
    }

    #[test]
    fn short_pauses_are_not_time_away() {
        let mut clocks = Clocks::new();
        let start = clocks.wall;
        let mut away = Away::new(clocks.wall, clocks.mono);
        for idle in [3, 6, 300, 597, 0] {
            clocks.awake(3);
            assert_eq!(clocks.tick(&mut away, Some(idle), Some(start)), None);
        }
    }

    #[test]
    fn sleep_is_time_away_from_the_last_tick_before_it() {
        let mut clocks = Clocks::new();
        let start = clocks.wall;
        let mut away = Away::new(clocks.wall, clocks.mono);
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(1), Some(start)), None);
        let before_sleep = clocks.wall;
        // The lid closes for 45 minutes; the first tick after waking sees the input that woke it.
        clocks.asleep(45 * 60);
        clocks.awake(3);
        let back = clocks
            .tick(&mut away, Some(1), Some(start))
            .expect("reported");
        assert_eq!(back.since, before_sleep);
        assert_eq!(back.minutes, 45);
    }

    #[test]
    fn a_small_clock_adjustment_is_not_sleep() {
        let mut clocks = Clocks::new();
        let start = clocks.wall;
        let mut away = Away::new(clocks.wall, clocks.mono);
        clocks.asleep(30); // NTP steps the wall clock by 30 s
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(1), Some(start)), None);
    }

    #[test]
    fn time_away_never_starts_before_the_timer() {
        let mut clocks = Clocks::new();
        let mut away = Away::new(clocks.wall, clocks.mono);
        clocks.awake(60);
        // The timer was started by the tray 5 s ago, after 40 minutes without input.
        let start = clocks.wall - SignedDuration::from_secs(5);
        assert_eq!(clocks.tick(&mut away, Some(40 * 60), Some(start)), None);
        clocks.awake(3);
        let back = clocks
            .tick(&mut away, Some(0), Some(start))
            .expect("reported");
        assert_eq!(back.since, start);
        assert_eq!(back.minutes, 0);
    }

    #[test]
    fn nothing_is_reported_without_a_timer_or_with_detection_off() {
        let mut clocks = Clocks::new();
        let start = clocks.wall;
        let mut away = Away::new(clocks.wall, clocks.mono);
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(1200), Some(start)), None);
        // The timer stops while away: what was noticed is forgotten.
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(0), None), None);
        // Detection off: sleep and idle input are ignored.
        clocks.asleep(3600);
        clocks.awake(3);
        assert_eq!(
            away.tick(clocks.wall, clocks.mono, Some(0), false, None, Some(start)),
            None
        );
    }

    #[test]
    fn a_locked_screen_is_time_away_from_the_tick_before_the_lock() {
        let mut clocks = Clocks::new();
        let start = clocks.wall - SignedDuration::from_hours(1);
        let mut away = Away::new(clocks.wall, clocks.mono);
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(1), Some(start)), None);
        let before_lock = clocks.wall;
        // Locked for 5 minutes, with someone moving the mouse at the lock screen now and then:
        // still away, and nothing is reported while locked.
        for i in 0..100 {
            clocks.awake(3);
            let idle = if i % 10 == 0 { 0 } else { 3 };
            assert_eq!(clocks.tick_locked(&mut away, Some(idle), Some(start)), None);
        }
        // Unlocked (the password was just typed): back, away since the tick before the lock.
        clocks.awake(3);
        let back = clocks
            .tick(&mut away, Some(0), Some(start))
            .expect("reported");
        assert_eq!(back.since, before_lock);
        assert_eq!(back.minutes, 5);
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(2), Some(start)), None);
    }

    #[test]
    fn a_lock_shorter_than_a_minute_is_not_time_away() {
        let mut clocks = Clocks::new();
        let start = clocks.wall - SignedDuration::from_hours(1);
        let mut away = Away::new(clocks.wall, clocks.mono);
        for _ in 0..15 {
            clocks.awake(3);
            assert_eq!(clocks.tick_locked(&mut away, Some(0), Some(start)), None);
        }
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(0), Some(start)), None);
        clocks.awake(3);
        assert_eq!(clocks.tick(&mut away, Some(3), Some(start)), None);
    }
}
