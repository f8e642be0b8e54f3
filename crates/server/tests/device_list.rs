//! The account's device list: each device names itself in a label only the account's devices can
//! read, and the server notes when each was last heard from, for the account alone.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stint_engine::device_name;
use stint_sync::HttpTransport;
use support::devices::{organization, set_up, two_devices};
use support::{Backend, Server, Storage, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

fn by_id<'a>(devices: &'a Value, id: &str) -> &'a Value {
    devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == id)
        .unwrap_or_else(|| panic!("{id} not in {devices}"))
}

async fn devices_name_themselves_and_say_when_they_were_last_seen(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "ada@example.org";
    verified_account(&server, &storage, email, PASSWORD).await;
    let laptop_token = sign_in(&server, email, PASSWORD, "laptop").await;
    let phone_token = sign_in(&server, email, PASSWORD, "phone").await;
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let to_laptop = HttpTransport::new(&server.base, &laptop_token)
        .unwrap()
        .for_device(laptop.device_id());
    let to_phone = HttpTransport::new(&server.base, &phone_token)
        .unwrap()
        .for_device(phone.device_id());
    let org = organization(&mut laptop, "Acme").await;
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, org).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();
    let (laptop_id, phone_id) = (
        hex::encode(laptop.device_id()),
        hex::encode(phone.device_id()),
    );

    // Each enrolled with the machine's name; both read both.
    let here = device_name::this_device();
    for (engine, t) in [(&laptop, &to_laptop), (&phone, &to_phone)] {
        let devices = engine.devices(t).await.unwrap();
        assert_eq!(devices.len(), 2, "{devices:?}");
        assert!(
            devices
                .iter()
                .all(|d| d.name.as_deref() == Some(here.as_str())),
            "{devices:?}"
        );
    }
    // A new name, read by the other device.
    assert_eq!(
        phone
            .rename_this_device(&to_phone, "  Ada’s phone ")
            .await
            .unwrap(),
        "Ada’s phone"
    );
    let seen_by_laptop = laptop.devices(&to_laptop).await.unwrap();
    let phone_row = seen_by_laptop.iter().find(|d| d.id == phone_id).unwrap();
    assert_eq!(phone_row.name.as_deref(), Some("Ada’s phone"));
    assert!(!phone_row.this_device);
    for bad in ["", "   ", &"x".repeat(65), "two\nlines"] {
        let refused = phone.rename_this_device(&to_phone, bad).await.unwrap_err();
        assert!(
            refused.to_string().contains("1 to 64 characters"),
            "{refused}"
        );
    }

    // The server holds the names sealed, and when it last heard from each device.
    let (status, listed) = server
        .call(Method::GET, "/api/v1/devices", Some(&laptop_token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    for id in [&laptop_id, &phone_id] {
        let row = by_id(&listed, id);
        let label = B64.decode(row["label"].as_str().unwrap()).unwrap();
        assert!(!label.is_empty());
        let plain = String::from_utf8_lossy(&label);
        assert!(
            !plain.contains("phone") && !plain.contains(here.as_str()),
            "{plain}"
        );
        assert!(row["last_seen_at"].as_i64().unwrap() >= row["created_at"].as_i64().unwrap());
    }
    assert!(
        seen_by_laptop.iter().all(|d| d.last_seen_ms.is_some()),
        "{seen_by_laptop:?}"
    );
    // The organization's directory, which its members read, does not say when devices were seen.
    let (status, directory) = server
        .call(
            Method::GET,
            &format!("/api/v1/orgs/{org}/directory"),
            Some(&laptop_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{directory}");
    let rows: Vec<&Value> = directory
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|member| member["devices"].as_array().unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|d| d["last_seen_at"].is_null()),
        "{directory}"
    );

    // A label the server moves to another device's row does not open there: the laptop, reading
    // the phone's row with the laptop's label, sees no name rather than a wrong one.
    let laptop_label = by_id(&listed, &laptop_id)["label"].clone();
    let (status, body) = server
        .call(
            Method::PUT,
            &format!("/api/v1/devices/{phone_id}/label"),
            Some(&phone_token),
            Some(json!({ "label": laptop_label })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let seen_by_laptop = laptop.devices(&to_laptop).await.unwrap();
    let phone_row = seen_by_laptop.iter().find(|d| d.id == phone_id).unwrap();
    assert_eq!(phone_row.name, None);
    // The phone, listing its devices, finds its own name unreadable and names itself again.
    let seen_by_phone = phone.devices(&to_phone).await.unwrap();
    let own = seen_by_phone.iter().find(|d| d.this_device).unwrap();
    assert_eq!(own.name.as_deref(), Some(here.as_str()));
    let seen_by_laptop = laptop.devices(&to_laptop).await.unwrap();
    let phone_row = seen_by_laptop.iter().find(|d| d.id == phone_id).unwrap();
    assert_eq!(phone_row.name.as_deref(), Some(here.as_str()));

    // Bad labels and unknown devices are refused with JSON errors.
    for (path, label, status) in [
        (
            format!("/api/v1/devices/{phone_id}/label"),
            B64.encode([0u8; 513]),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/v1/devices/{phone_id}/label"),
            "not base64!".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/v1/devices/{}/label", "ab".repeat(16)),
            B64.encode(b"x"),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/devices/xyz/label".to_owned(),
            B64.encode(b"x"),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (got, body) = server
            .call(
                Method::PUT,
                &path,
                Some(&phone_token),
                Some(json!({ "label": label })),
            )
            .await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    // Another account cannot rename (or learn of) Ada's devices.
    verified_account(&server, &storage, "eve@example.org", PASSWORD).await;
    let eve = sign_in(&server, "eve@example.org", PASSWORD, "eve").await;
    let (got, body) = server
        .call(
            Method::PUT,
            &format!("/api/v1/devices/{phone_id}/label"),
            Some(&eve),
            Some(json!({ "label": B64.encode(b"x") })),
        )
        .await;
    assert_eq!(got, StatusCode::NOT_FOUND, "{body}");

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(devices_name_themselves_and_say_when_they_were_last_seen);
