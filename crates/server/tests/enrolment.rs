//! Enrolling a device by short code against a real server, on SQLite and PostgreSQL: the routes
//! check shapes and keep each account's requests to itself, and a server that lies (swapping the
//! new device's keys, or answering in the approving device's place) enrols nothing.

mod support;

use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::Method;
use serde_json::json;
use stint_crypto::{EnrolmentCode, SealSecretKey, SigningKey, SymmetricKey};
use stint_domain::{MemberId, OrgId};
use stint_engine::MemoryKeyStore;
use stint_engine::sync::{ListedDevice, StoredIdentity, Transport};
use stint_protocol::sync::{Outcome, PullPage};
use stint_sync::HttpTransport;
use support::devices::{device, laptop_and_phone, organization};
use support::{Backend, Server, Storage, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

/// A request as a new device makes it, for `user`.
fn request(user: &[u8; 16]) -> Vec<u8> {
    let (_, request) = stint_crypto::request_enrolment(
        &EnrolmentCode::generate(),
        user,
        &[5; 16],
        &SigningKey::generate().verifying_key(),
        &SealSecretKey::generate().public_key(),
    )
    .unwrap();
    request.to_vec()
}

async fn the_routes_check_shapes_and_accounts(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "ada@example.org", PASSWORD).await;
    verified_account(&server, &storage, "eve@example.org", PASSWORD).await;
    let ada = sign_in(&server, "ada@example.org", PASSWORD, "laptop").await;
    let eve = sign_in(&server, "eve@example.org", PASSWORD, "laptop").await;
    let (_, account) = server
        .call(Method::GET, "/api/v1/account", Some(&ada), None)
        .await;
    let user = account["id"]
        .as_str()
        .unwrap()
        .parse::<ulid::Ulid>()
        .unwrap()
        .to_bytes();
    let good = B64.encode(request(&user));

    // Shapes: nameplates are three digits; a request is 114 bytes of version 1.
    for (body, why) in [
        (json!({ "nameplate": 99, "request": good }), "nameplate"),
        (json!({ "nameplate": 1000, "request": good }), "nameplate"),
        (
            json!({ "nameplate": 482, "request": "not base64!" }),
            "request",
        ),
        (
            json!({ "nameplate": 482, "request": B64.encode([1u8; 113]) }),
            "request",
        ),
        (
            json!({ "nameplate": 482, "request": B64.encode([2u8; 114]) }),
            "request",
        ),
        (json!({ "nameplate": 482 }), "missing"),
    ] {
        let (status, answer) = server
            .call(Method::POST, "/api/v1/enrolments", Some(&ada), Some(body))
            .await;
        assert!(status.is_client_error(), "{why}: {status} {answer}");
    }
    let (status, _) = server
        .call(
            Method::POST,
            "/api/v1/enrolments",
            None,
            Some(json!({ "nameplate": 482, "request": good })),
        )
        .await;
    assert_eq!(status, 401);

    // One request per nameplate, three live per account.
    let create = |nameplate: u16| {
        server.call(
            Method::POST,
            "/api/v1/enrolments",
            Some(&ada),
            Some(json!({ "nameplate": nameplate, "request": good })),
        )
    };
    assert_eq!(create(482).await.0, 201);
    assert_eq!(create(482).await.0, 409);
    assert_eq!(create(483).await.0, 201);
    assert_eq!(create(484).await.0, 201);
    let (status, body) = create(485).await;
    assert_eq!(status, 429, "{body}");

    // Another account sees none of them and cannot answer or cancel them.
    for (method, path, body) in [
        (Method::GET, "/api/v1/enrolments/482", None),
        (Method::DELETE, "/api/v1/enrolments/482", None),
        (
            Method::PUT,
            "/api/v1/enrolments/482/answer",
            Some(json!({ "answer": B64.encode([1u8; 106]) })),
        ),
    ] {
        let (status, _) = server.call(method, path, Some(&eve), body).await;
        assert_eq!(status, 404, "{path}");
    }

    // The account's own: read back as stored; answered once, with an answer's shape.
    let (status, read) = server
        .call(Method::GET, "/api/v1/enrolments/482", Some(&ada), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(read["request"], good.as_str());
    assert!(read["answer"].is_null());
    for bad in [B64.encode([1u8; 105]), B64.encode([2u8; 106]), "%%%".into()] {
        let (status, _) = server
            .call(
                Method::PUT,
                "/api/v1/enrolments/482/answer",
                Some(&ada),
                Some(json!({ "answer": bad })),
            )
            .await;
        assert_eq!(status, 400);
    }
    let answer = B64.encode([1u8; 106]);
    let put = |body: serde_json::Value| {
        server.call(
            Method::PUT,
            "/api/v1/enrolments/482/answer",
            Some(&ada),
            Some(body),
        )
    };
    assert_eq!(put(json!({ "answer": answer })).await.0, 204);
    assert_eq!(
        put(json!({ "answer": B64.encode([1u8; 106]) })).await.0,
        409
    );
    let (_, read) = server
        .call(Method::GET, "/api/v1/enrolments/482", Some(&ada), None)
        .await;
    assert_eq!(read["answer"], answer.as_str());
    for path in [
        "/api/v1/enrolments/5",
        "/api/v1/enrolments/abc",
        "/api/v1/enrolments/999",
    ] {
        let (status, _) = server.call(Method::GET, path, Some(&ada), None).await;
        assert_eq!(status, 404, "{path}");
    }

    // Cancelled: gone, and its nameplate free again.
    let (status, _) = server
        .call(Method::DELETE, "/api/v1/enrolments/482", Some(&ada), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = server
        .call(Method::GET, "/api/v1/enrolments/482", Some(&ada), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(create(482).await.0, 201);
    server.stop().await;
}
both!(the_routes_check_shapes_and_accounts);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lie {
    /// The request the approving device reads carries other keys than the new device's.
    SwapKeys,
    /// The answer the new device reads was made by the server with a guess of the code.
    ForgeAnswer,
}

/// A transport that lies about enrolment requests and answers, and passes the rest through.
struct Lying<'a> {
    inner: &'a HttpTransport,
    user: [u8; 16],
    lie: Mutex<Option<Lie>>,
}

impl Transport for Lying<'_> {
    async fn account(&self) -> Result<MemberId, String> {
        self.inner.account().await
    }
    async fn identity(&self) -> Result<Option<StoredIdentity>, String> {
        self.inner.identity().await
    }
    async fn put_identity(&self, identity: &StoredIdentity) -> Result<(), String> {
        self.inner.put_identity(identity).await
    }
    async fn replace_recovery(&self, wrapped_account_key: &[u8]) -> Result<(), String> {
        self.inner.replace_recovery(wrapped_account_key).await
    }
    async fn devices(&self) -> Result<Vec<ListedDevice>, String> {
        self.inner.devices().await
    }
    async fn add_device(&self, certificate: &[u8], label: &[u8]) -> Result<(), String> {
        self.inner.add_device(certificate, label).await
    }
    async fn set_device_label(&self, device: [u8; 16], label: &[u8]) -> Result<(), String> {
        self.inner.set_device_label(device, label).await
    }
    async fn revoke_device(&self, device: [u8; 16], revocation: &[u8]) -> Result<(), String> {
        self.inner.revoke_device(device, revocation).await
    }
    async fn create_enrolment(&self, nameplate: u16, request: &[u8]) -> Result<bool, String> {
        self.inner.create_enrolment(nameplate, request).await
    }
    async fn enrolment(
        &self,
        nameplate: u16,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, String> {
        let found = self.inner.enrolment(nameplate).await?;
        let lie = *self.lie.lock().unwrap();
        Ok(found.map(|(mut request, answer)| match lie {
            Some(Lie::SwapKeys) => {
                request[17..49].copy_from_slice(&SigningKey::generate().verifying_key().to_bytes());
                request[49..81].copy_from_slice(&SealSecretKey::generate().public_key().to_bytes());
                (request, answer)
            }
            Some(Lie::ForgeAnswer) => {
                let (forged, _) = stint_crypto::answer_enrolment(
                    &EnrolmentCode::generate(),
                    &self.user,
                    &request,
                    &SymmetricKey::generate(),
                )
                .unwrap();
                (request, Some(forged))
            }
            None => (request, answer),
        }))
    }
    async fn answer_enrolment(&self, nameplate: u16, answer: &[u8]) -> Result<(), String> {
        self.inner.answer_enrolment(nameplate, answer).await
    }
    async fn delete_enrolment(&self, nameplate: u16) -> Result<(), String> {
        self.inner.delete_enrolment(nameplate).await
    }
    async fn orgs(&self) -> Result<Vec<OrgId>, String> {
        self.inner.orgs().await
    }
    async fn create_org(&self, org: OrgId, name: &str) -> Result<(), String> {
        self.inner.create_org(org, name).await
    }
    members_passed_on!();
    async fn push(&self, org: OrgId, envelopes: &[Vec<u8>]) -> Result<Vec<(Outcome, u64)>, String> {
        self.inner.push(org, envelopes).await
    }
    async fn pull(&self, org: OrgId, after: u64, limit: u32) -> Result<PullPage, String> {
        self.inner.pull(org, after, limit).await
    }
    async fn put_attachment(
        &self,
        org: OrgId,
        id: stint_domain::AttachmentId,
        envelope: &[u8],
    ) -> Result<bool, String> {
        self.inner.put_attachment(org, id, envelope).await
    }
    async fn attachment(
        &self,
        org: OrgId,
        id: stint_domain::AttachmentId,
    ) -> Result<Option<Vec<u8>>, String> {
        self.inner.attachment(org, id).await
    }
}

async fn a_lying_server_enrols_nothing(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "ada@example.org";
    let (laptop_http, phone_http) = laptop_and_phone(&server, &storage, email, PASSWORD).await;
    let user = laptop_http.account().await.unwrap().to_bytes();
    let (to_laptop, to_phone) = (
        Lying {
            inner: &laptop_http,
            user,
            lie: Mutex::new(None),
        },
        Lying {
            inner: &phone_http,
            user,
            lie: Mutex::new(None),
        },
    );
    let (laptop_dir, phone_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (laptop_keys, phone_keys) = (MemoryKeyStore::default(), MemoryKeyStore::default());
    let mut laptop = device(laptop_dir.path(), &laptop_keys).await;
    let mut phone = device(phone_dir.path(), &phone_keys).await;
    let acme = organization(&mut laptop, "Acme").await;
    laptop.set_up_sync(&to_laptop).await.unwrap();
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();

    for lie in [Lie::SwapKeys, Lie::ForgeAnswer] {
        let waiting = phone.request_enrolment(&to_phone).await.unwrap();
        match lie {
            Lie::SwapKeys => *to_laptop.lie.lock().unwrap() = Some(lie),
            Lie::ForgeAnswer => *to_phone.lie.lock().unwrap() = Some(lie),
        }
        // The laptop answers what it was shown (with SwapKeys, another fingerprint than the
        // phone's; the person comparing digits would stop here, but nothing relies on that).
        let approved = laptop
            .approve_device(&to_laptop, &waiting.code())
            .await
            .unwrap();
        assert_eq!(
            approved.fingerprint == waiting.fingerprint(),
            lie == Lie::ForgeAnswer,
            "{lie:?}"
        );
        let answer = phone
            .enrolment_answer(&to_phone, &waiting)
            .await
            .unwrap()
            .expect("an answer");
        let refused = phone.finish_enrolment(&to_phone, waiting, &answer).await;
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("did not use this device's code"),
            "{lie:?}"
        );
        *to_laptop.lie.lock().unwrap() = None;
        *to_phone.lie.lock().unwrap() = None;
        // Nothing was uploaded or kept: one device on the account, the phone not set up.
        assert_eq!(
            laptop.devices(&to_laptop).await.unwrap().len(),
            1,
            "{lie:?}"
        );
        assert!(phone.sync_account().await.unwrap().is_none(), "{lie:?}");
    }

    // Honest again: the phone is enrolled and has the organization.
    let waiting = phone.request_enrolment(&to_phone).await.unwrap();
    let approved = laptop
        .approve_device(&to_laptop, &waiting.code())
        .await
        .unwrap();
    assert_eq!(approved.fingerprint, waiting.fingerprint());
    let answer = phone
        .enrolment_answer(&to_phone, &waiting)
        .await
        .unwrap()
        .unwrap();
    phone
        .finish_enrolment(&to_phone, waiting, &answer)
        .await
        .unwrap();
    phone.sync(&to_phone).await.unwrap();
    assert!(phone.organizations().iter().any(|o| o.id == acme));
    assert_eq!(laptop.devices(&to_laptop).await.unwrap().len(), 2);

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_lying_server_enrols_nothing);
