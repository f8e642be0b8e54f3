//! What a desktop app does beyond its window: a status-area (tray) icon that shows whether a timer
//! runs and starts or stops it, a global shortcut for the same, and one place that tells the
//! window when the timer changed from outside it.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::Shell;
use stint_engine::StartTimer;

/// The global shortcut that starts or stops the timer.
pub const TOGGLE_SHORTCUT: &str = "ctrl+alt+space";

/// Sent to the window after the tray or the shortcut started or stopped the timer.
pub const TIMER_CHANGED: &str = "timer-changed";

/// The tray icon and the menu item whose text follows the timer.
pub struct Tray {
    icon: TrayIcon<Wry>,
    toggle: MenuItem<Wry>,
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
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    Ok(Tray {
        icon: builder.build(app)?,
        toggle,
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

/// Stop the running timer, or start one on the last project used; then tell the window and the
/// tray. Nothing happens while the vault is locked or no organization is chosen.
pub fn toggle_timer(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        let mut session = shell.session.lock().await;
        let Ok((engine, by)) = session.acting() else {
            return;
        };
        let result = match engine.running_timer(&by) {
            Ok(Some(_)) => engine.stop_timer(&by).await.map(|_| ()),
            Ok(None) => match engine.last_project(&by) {
                Ok(Some(project)) => engine
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
                Ok(None) => return,
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
    let (tooltip, item, enabled) = match session.acting() {
        Ok((engine, by)) => match engine.running_timer(&by) {
            Ok(Some(view)) => (
                format!("Stint: timer running on {}", view.project_name),
                "Stop timer".to_owned(),
                true,
            ),
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
                    "Start timer".to_owned(),
                    false,
                ),
            },
        },
        Err(_) => ("Stint: locked".to_owned(), "Start timer".to_owned(), false),
    };
    let _ = tray.icon.set_tooltip(Some(&tooltip));
    let _ = tray.toggle.set_text(item);
    let _ = tray.toggle.set_enabled(enabled);
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

/// Every few seconds: notice time away (no input for the configured time, or the machine asleep —
/// a suspended machine's monotonic clock stands still while the wall clock moves on), tell the
/// window when the user is back, and remind once when a timer has run long.
pub fn watch(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        const TICK: std::time::Duration = std::time::Duration::from_secs(3);
        let mut last_wall = jiff::Timestamp::now();
        let mut last_mono = std::time::Instant::now();
        let mut away_since: Option<jiff::Timestamp> = None;
        let mut reminded: Option<stint_domain::EntryId> = None;
        loop {
            tokio::time::sleep(TICK).await;
            let now = jiff::Timestamp::now();
            let mono = std::time::Instant::now();
            let wall_step = now.duration_since(last_wall).as_secs_f64();
            let slept = wall_step - mono.duration_since(last_mono).as_secs_f64() > 60.0;
            let slept_from = last_wall;
            last_wall = now;
            last_mono = mono;

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
            let Some(timer) = running else {
                away_since = None;
                continue;
            };
            let stint_domain::EntryTime::Running { start } = timer.entry.time else {
                continue;
            };

            if settings.idle_minutes > 0 {
                let threshold = u64::from(settings.idle_minutes) * 60;
                let idle = input_idle_seconds();
                if slept {
                    away_since = Some(away_since.map_or(slept_from, |s| s.min(slept_from)));
                }
                match idle {
                    Some(seconds) if seconds >= threshold => {
                        let began = now - jiff::SignedDuration::from_secs(seconds as i64);
                        away_since = Some(away_since.map_or(began, |s| s.min(began)));
                    }
                    _ => {
                        if let Some(since) = away_since.take() {
                            let since = since.max(start);
                            let minutes = now.duration_since(since).as_secs().max(0) as u64 / 60;
                            let _ = app.emit(
                                IDLE_RETURNED,
                                IdleReturned {
                                    since: since.to_string(),
                                    minutes,
                                },
                            );
                        }
                    }
                }
            }

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
