//! Three devices with no internet sync a space on the local network; one
//! is cut off, everyone edits, the link comes back and all converge; a
//! stranger with a withdrawn invitation gets nothing.
//!
//! The scenario runs twice: over loopback (iroh connections to addresses
//! given with `--peer`), and in network namespaces joined by veth pairs
//! through a bridge with no route out, where devices find each other by
//! mDNS alone. The namespace run needs root and `ip netns`; where they are
//! unavailable it reports so and returns, unless `YORIAI_REQUIRE_NETNS=1`
//! (set by `.ci/run`), which makes it fail instead.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

mod common;

use common::{idea_titles, json as json_ok, yoriai, BIN};
use serde_json::Value;
/// Seconds a sync round may take before it counts as failed.
const ROUND: &str = "25";

/// How the devices reach each other.
enum Net {
    /// All on 127.0.0.1, fixed ports, peers named by hand.
    Loopback { ports: Vec<u16> },
    /// One namespace per device, a bridge namespace between them.
    Netns { ns: Vec<String>, hub: String },
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the command runs")
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = run(Command::new("ip").args(args));
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Net {
    fn loopback(n: usize) -> Net {
        let ports = (0..n)
            .map(|_| {
                let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("a free port");
                s.local_addr().expect("addr").port()
            })
            .collect();
        Net::Loopback { ports }
    }

    /// `n` namespaces `yrN-PID` with `eth0` at 10.77.0.N/24, bridged in
    /// `yrhub-PID`; no default route anywhere.
    fn netns(n: usize) -> Result<Net, String> {
        let pid = std::process::id();
        let hub = format!("yrhub-{pid}");
        let ns: Vec<String> = (1..=n).map(|i| format!("yr{i}-{pid}")).collect();
        let net = Net::Netns {
            ns: ns.clone(),
            hub: hub.clone(),
        };
        ip(&["netns", "add", &hub])?;
        ip(&["-n", &hub, "link", "add", "br0", "type", "bridge"])?;
        ip(&["-n", &hub, "link", "set", "br0", "up"])?;
        for (i, name) in ns.iter().enumerate() {
            let i = i + 1;
            ip(&["netns", "add", name])?;
            let host_end = format!("h{i}");
            ip(&[
                "-n", &hub, "link", "add", &host_end, "type", "veth", "peer", "name", "eth0",
                "netns", name,
            ])?;
            ip(&["-n", &hub, "link", "set", &host_end, "master", "br0"])?;
            ip(&["-n", &hub, "link", "set", &host_end, "up"])?;
            ip(&["-n", name, "link", "set", "lo", "up"])?;
            ip(&[
                "-n",
                name,
                "addr",
                "add",
                &format!("10.77.0.{i}/24"),
                "dev",
                "eth0",
            ])?;
            net.link(i - 1, true)?;
        }
        Ok(net)
    }

    /// Bring device `i`'s link up or down.
    fn link(&self, i: usize, up: bool) -> Result<(), String> {
        match self {
            Net::Loopback { .. } => Ok(()),
            Net::Netns { ns, .. } => {
                ip(&[
                    "-n",
                    &ns[i],
                    "link",
                    "set",
                    "eth0",
                    if up { "up" } else { "down" },
                ])?;
                if up {
                    // mDNS needs a multicast route; there is still no way out.
                    ip(&[
                        "-n",
                        &ns[i],
                        "route",
                        "replace",
                        "224.0.0.0/4",
                        "dev",
                        "eth0",
                    ])?;
                }
                Ok(())
            }
        }
    }

    fn command(&self, i: usize) -> Command {
        match self {
            Net::Loopback { .. } => Command::new(BIN),
            Net::Netns { ns, .. } => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", &ns[i], BIN]);
                c
            }
        }
    }

    /// Sync flags for device `i`, given every device's member id.
    fn lan_args(&self, i: usize, members: &[String]) -> Vec<String> {
        match self {
            Net::Loopback { ports } => {
                let mut a = vec![
                    "--no-mdns".to_string(),
                    "--port".into(),
                    ports[i].to_string(),
                ];
                for (j, m) in members.iter().enumerate() {
                    if j != i {
                        a.push("--peer".into());
                        a.push(format!("{m}@127.0.0.1:{}", ports[j]));
                    }
                }
                a
            }
            Net::Netns { .. } => Vec::new(),
        }
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        if let Net::Netns { ns, hub } = self {
            for n in ns.iter().chain(std::iter::once(&*hub)) {
                let _ = ip(&["netns", "del", n]);
            }
        }
    }
}

struct Device {
    home: PathBuf,
    member: String,
}

struct World {
    net: Net,
    devices: Vec<Device>,
    _dir: tempfile::TempDir,
}

impl World {
    fn new(net: Net, names: &[&str]) -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let devices = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let home = dir.path().join(format!("d{i}"));
                let v = json_ok(&home, &["init", "--name", name]);
                Device {
                    home,
                    member: v["member"].as_str().expect("member").to_string(),
                }
            })
            .collect();
        World {
            net,
            devices,
            _dir: dir,
        }
    }

    fn members(&self) -> Vec<String> {
        self.devices.iter().map(|d| d.member.clone()).collect()
    }

    /// Start `sync --lan --once` on each of `who` (device, peers it must
    /// sync with), wait for all.
    fn sync_round(&self, who: &[(usize, usize)]) -> Vec<(bool, String, String)> {
        let members = self.members();
        let children: Vec<Child> = who
            .iter()
            .map(|&(i, expect)| {
                let mut c = self.net.command(i);
                // A device expecting nobody only shows it gets nothing.
                let wait = if expect == 0 { "8" } else { ROUND };
                c.arg("--home")
                    .arg(&self.devices[i].home)
                    .args(["--json", "sync", "--lan", "--once", "--wait", wait])
                    .args(["--expect-peers", &expect.to_string()])
                    .args(self.net.lan_args(i, &members))
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                c.spawn().expect("sync starts")
            })
            .collect();
        children
            .into_iter()
            .map(|c| {
                let o = c.wait_with_output().expect("sync ends");
                (
                    o.status.success(),
                    String::from_utf8_lossy(&o.stdout).into_owned(),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                )
            })
            .collect()
    }
}

fn assert_round(results: &[(bool, String, String)], what: &str) {
    for (i, (ok, out, err)) in results.iter().enumerate() {
        assert!(ok, "{what}: device #{i} did not settle\n{out}\n{err}");
    }
}

fn scenario(net: Net) {
    let w = World::new(net, &["Aiko", "Ben", "Chiyo", "Stranger"]);
    let [a, b, c, s] = [0, 1, 2, 3].map(|i| w.devices[i].home.as_path());
    let space = json_ok(a, &["space", "create", "Shelter 避難所"])["id"]
        .as_str()
        .expect("space")
        .to_string();
    let project = json_ok(a, &["project", "create", &space, "Water"])["id"]
        .as_str()
        .expect("project")
        .to_string();
    let link = |uses: &str| {
        json_ok(a, &["invite", "create", &space, "--uses", uses])["link"]
            .as_str()
            .expect("link")
            .to_string()
    };
    let (lb, lc) = (link("1"), link("1"));
    let withdrawn = json_ok(a, &["invite", "create", &space, "--uses", "1"]);
    json_ok(
        a,
        &[
            "invite",
            "revoke",
            &space,
            withdrawn["id"].as_str().expect("id"),
        ],
    );
    json_ok(b, &["join", &lb]);
    json_ok(c, &["join", &lc]);
    json_ok(
        s,
        &["join", withdrawn["link"].as_str().expect("withdrawn link")],
    );

    // 1. Everyone meets: the joins complete, space and project arrive.
    let r = w.sync_round(&[(0, 2), (1, 2), (2, 2), (3, 0)]);
    assert_round(&r[..3], "first meeting");
    assert!(
        !r[3].0,
        "the stranger cannot settle: it has nothing to sync"
    );
    for d in [b, c] {
        assert!(idea_titles(d, &project).is_empty());
        let space_view = json_ok(d, &["space", "show", &space]);
        assert_eq!(
            space_view["members"].as_array().expect("members").len(),
            3,
            "{space_view}"
        );
    }
    // The stranger got nothing: no space, no project.
    let out = yoriai(s, &["show", &project]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on this device"));
    let listed = json_ok(s, &["space", "list"]);
    let kinds: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["space-awaited"], "{listed}");
    // And it knows why, as does the member it asked.
    let status: Value = serde_json::from_str(r[3].1.trim()).expect("status json");
    assert_eq!(status["awaiting"].as_array().expect("awaiting").len(), 1);

    // 2. Chiyo is cut off; all three write.
    w.net.link(2, false).expect("cut");
    json_ok(a, &["idea", "add", &project, "A water rota for each block"]);
    json_ok(b, &["idea", "add", &project, "Rainwater tanks by the gym"]);
    json_ok(
        c,
        &["idea", "add", &project, "Boil notices in three languages"],
    );
    let r = w.sync_round(&[(0, 1), (1, 1)]);
    assert_round(&r, "without Chiyo");
    assert_eq!(idea_titles(a, &project).len(), 2);
    assert_eq!(idea_titles(c, &project).len(), 1);

    // 3. The link comes back: all converge.
    w.net.link(2, true).expect("restore");
    let r = w.sync_round(&[(0, 2), (1, 2), (2, 2)]);
    assert_round(&r, "after the link came back");
    let want = vec![
        "A water rota for each block".to_string(),
        "Boil notices in three languages".to_string(),
        "Rainwater tanks by the gym".to_string(),
    ];
    for d in [a, b, c] {
        assert_eq!(idea_titles(d, &project), want);
    }
    let status: Value = serde_json::from_str(r[0].1.trim()).expect("status json");
    let peers = status["peers"].as_array().expect("peers");
    let members: Vec<&Value> = peers.iter().filter(|p| p["stranger"] == false).collect();
    assert_eq!(members.len(), 2, "{status}");
    let since = status["since_ms"].as_i64().expect("since");
    for p in members {
        let synced = p["spaces"][0]["last_synced_ms"].as_i64().expect("synced");
        assert!(synced >= since, "{status}");
    }
}

#[test]
fn three_devices_sync_over_loopback() {
    scenario(Net::loopback(4));
}

#[test]
fn three_devices_sync_in_network_namespaces_by_mdns() {
    let required = std::env::var("YORIAI_REQUIRE_NETNS").is_ok_and(|v| v == "1");
    match Net::netns(4) {
        Ok(net) => scenario(net),
        Err(e) if !required => {
            eprintln!("network namespaces unavailable here ({e}); the loopback run covers the scenario. Set YORIAI_REQUIRE_NETNS=1 to make this an error.");
        }
        Err(e) => panic!("YORIAI_REQUIRE_NETNS=1 but namespaces cannot be made: {e}"),
    }
}

#[test]
fn serve_keeps_a_device_syncing_and_peers_reads_its_status() {
    let w = World::new(Net::loopback(2), &["Aiko", "Ben"]);
    let members = w.members();
    let (a, b) = (w.devices[0].home.as_path(), w.devices[1].home.as_path());
    let space = json_ok(a, &["space", "create", "Shelter"])["id"]
        .as_str()
        .expect("space")
        .to_string();
    let link = json_ok(a, &["invite", "create", &space])["link"]
        .as_str()
        .expect("link")
        .to_string();
    json_ok(b, &["join", &link]);
    let mut serve = Command::new(BIN)
        .arg("--home")
        .arg(a)
        .arg("serve")
        .args(w.net.lan_args(0, &members))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let status_file = a.join("lan-status.json");
    for _ in 0..100 {
        if status_file.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // While it runs, other commands on its home are refused clearly, and
    // `peers` shows what it sees.
    let out = yoriai(a, &["idea", "add", "x", "y"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use by another Yoriai process"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = json_ok(a, &["peers"]);
    assert_eq!(status["me"], members[0].as_str());
    // Ben syncs against the running device and gets the space.
    let out = run(Command::new(BIN)
        .arg("--home")
        .arg(b)
        .args(["sync", "--lan", "--once", "--wait", ROUND])
        .args(w.net.lan_args(1, &members)));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = json_ok(b, &["space", "show", &space])["members"].to_string();
    assert!(names.contains("Aiko") && names.contains("Ben"), "{names}");
    // Its status file now says Ben is up to date (it was written by serve).
    let mut seen = false;
    for _ in 0..50 {
        let s = json_ok(a, &["peers"]);
        if s["peers"]
            .as_array()
            .expect("peers")
            .iter()
            .any(|p| p["name"] == "Ben" && p["spaces"][0]["last_synced_ms"].is_i64())
        {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(seen, "serve never reported Ben as synced");
    // SIGTERM stops it cleanly.
    run(Command::new("kill").args(["-TERM", &serve.id().to_string()]));
    let code = serve.wait().expect("serve ends");
    assert!(code.success(), "serve exited with {code}");
    assert!(!status_file.exists());
    assert!(yoriai(a, &["space", "list"]).status.success());
}
