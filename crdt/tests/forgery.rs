//! What a malicious peer or relay can write, and why none of it counts.
//! Each forged record is appended straight into the Automerge document,
//! skipping the command layer, as a hostile peer would.

mod common;

use common::*;
use yoriai_crdt::automerge::transaction::Transactable;
use yoriai_crdt::automerge::{ReadDoc, ROOT};
use yoriai_crdt::document::{append_raw, append_records};
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::record::{Payload, RecordBody, Sig64, SignedRecord};
use yoriai_crdt::verdict::RejectReason;
use yoriai_crdt::vote::{BallotChoice, TallyResult, VoteMethod};
use yoriai_crdt::{DeviceKey, DocId, ProjectCommand, RecordId, Role, SpaceCommand};

fn forge(
    key: &DeviceKey,
    doc: Option<DocId>,
    lamport: u64,
    deps: Vec<RecordId>,
    payload: Payload,
) -> SignedRecord {
    SignedRecord::sign(
        RecordBody {
            doc,
            author: key.member(),
            time_ms: T0,
            lamport,
            space_deps: deps,
            payload,
        },
        key,
    )
    .expect("sign")
}

/// A staff founder and a resident, with a project whose phases are open
/// and a single-choice vote.
fn setup() -> (Replica, Replica, RecordId) {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, None);
    with_project(
        &mut staff,
        &[PhaseKind::Ideas, PhaseKind::Discussion, PhaseKind::Decision],
    );
    open_all(&mut staff);
    let vote = staff
        .act(ProjectCommand::OpenVote {
            phase: None,
            title: "Which bench colour?".into(),
            method: VoteMethod::SingleChoice,
            options: vec!["green".into(), "brown".into()],
        })
        .expect("vote");
    let mut bob = staff.spawn(2);
    bob.join(&link, "Bob").expect("join");
    staff.sync(&mut bob);
    (staff, bob, vote)
}

fn project_record(r: &Replica, key: &DeviceKey, payload: Payload) -> SignedRecord {
    forge(
        key,
        r.project_id,
        r.project().max_lamport() + 1,
        r.space().frontier(),
        payload,
    )
}

fn insert(r: &mut Replica, rec: &SignedRecord) {
    append_raw(r.project_doc.as_mut().expect("project"), &[&rec.bytes], T0).expect("append");
}

fn reason_of(r: &Replica, id: RecordId) -> Option<RejectReason> {
    r.project()
        .rejected()
        .iter()
        .find(|x| x.id == id)
        .map(|x| x.reason.clone())
}

fn totals(r: &Replica, vote: RecordId) -> Vec<u64> {
    match r.project().vote(&vote).and_then(|v| v.tally) {
        Some(TallyResult::Totals { totals, .. }) => totals,
        other => panic!("unexpected tally {other:?}"),
    }
}

#[test]
fn a_record_with_a_bad_signature_is_rejected() {
    let (mut staff, bob, vote) = setup();
    let mut rec = project_record(
        &staff,
        &bob.key,
        Payload::CastBallot {
            vote,
            choice: BallotChoice::Single(0),
        },
    );
    let last = rec.bytes.len() - 1;
    rec.bytes[last] ^= 1;
    let id = RecordId::of_bytes(&rec.bytes);
    insert(&mut staff, &rec);
    assert_eq!(reason_of(&staff, id), Some(RejectReason::BadSignature));
    let rejected = staff.project().rejected().to_vec();
    assert_eq!(
        rejected[0].author,
        Some(bob.member()),
        "staff see who it claims to be from"
    );
    assert_eq!(totals(&staff, vote), vec![0, 0]);
}

#[test]
fn a_vote_signed_by_a_non_member_is_rejected() {
    let (mut staff, _bob, vote) = setup();
    let mallory = DeviceKey::from_secret([66; 32]);
    let rec = project_record(
        &staff,
        &mallory,
        Payload::CastBallot {
            vote,
            choice: BallotChoice::Single(1),
        },
    );
    insert(&mut staff, &rec);
    assert_eq!(reason_of(&staff, rec.id), Some(RejectReason::NotMember));
    assert_eq!(totals(&staff, vote), vec![0, 0]);
}

#[test]
fn a_phase_change_signed_by_a_resident_is_rejected() {
    let (mut staff, bob, _) = setup();
    let phase = phase_id(&staff, PhaseKind::Ideas);
    let rec = project_record(
        &staff,
        &bob.key,
        Payload::SetPhaseState {
            phase,
            state: PhaseState::Closed,
        },
    );
    insert(&mut staff, &rec);
    assert_eq!(
        reason_of(&staff, rec.id),
        Some(RejectReason::Forbidden {
            needed: "staff".into()
        })
    );
    assert_eq!(
        staff.project().phase(&phase).map(|p| p.state),
        Some(PhaseState::Open)
    );
}

#[test]
fn a_replayed_old_revision_does_not_count_again() {
    let (mut staff, mut bob, vote) = setup();
    let first = bob
        .act(ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Single(0),
        })
        .expect("ballot");
    bob.act(ProjectCommand::CastBallot {
        vote,
        choice: BallotChoice::Single(1),
    })
    .expect("changed my mind");
    staff.sync(&mut bob);
    let old = staff
        .project()
        .record(&first)
        .expect("old revision")
        .bytes
        .clone();
    append_raw(staff.project_doc.as_mut().expect("project"), &[&old], T0).expect("replay");
    assert_eq!(reason_of(&staff, first), Some(RejectReason::Duplicate));
    assert_eq!(
        totals(&staff, vote),
        vec![0, 1],
        "the latest revision counts, once"
    );
}

#[test]
fn a_record_replayed_into_another_project_is_rejected() {
    let (mut staff, mut bob, _) = setup();
    let comment = bob
        .act(ProjectCommand::Comment {
            target: None,
            reply_to: None,
            stance: yoriai_crdt::comment::Stance::For,
            text: "Nice".into(),
            official: false,
        })
        .expect("comment");
    staff.sync(&mut bob);
    let bytes = staff.project().record(&comment).expect("c").bytes.clone();
    // A second project in the same space.
    let mut other = staff.spawn(9);
    other.key = staff.key.clone();
    with_project(&mut other, &[PhaseKind::Discussion]);
    append_raw(other.project_doc.as_mut().expect("p"), &[&bytes], T0).expect("append");
    assert_eq!(
        reason_of(&other, comment),
        Some(RejectReason::WrongDocument)
    );
}

#[test]
fn junk_in_the_record_list_is_reported_and_harmless() {
    let (mut staff, _, _) = setup();
    let before = staff.snapshot();
    let doc = staff.project_doc.as_mut().expect("p");
    append_raw(doc, &[b"not a record at all", &[1u8; 70][..]], T0).expect("append");
    // A value of the wrong type, as a buggy or hostile peer could write.
    let (_, list) = doc.get(ROOT, "records").expect("get").expect("list");
    let mut tx = doc.transaction();
    let len = tx.length(&list);
    tx.insert(&list, len, "a string").expect("insert");
    tx.commit();
    let after = staff.project();
    assert_eq!(after.rejected().len(), 2);
    assert!(after
        .rejected()
        .iter()
        .all(|r| matches!(r.reason, RejectReason::Malformed { .. })));
    assert_eq!(after.snapshot(&staff.space()).ideas, before.ideas);
}

#[test]
fn a_record_naming_unknown_space_records_is_pending_not_rejected() {
    let (mut staff, bob, vote) = setup();
    let rec = forge(
        &bob.key,
        staff.project_id,
        100,
        vec![RecordId([42; 32])],
        Payload::CastBallot {
            vote,
            choice: BallotChoice::Single(0),
        },
    );
    insert(&mut staff, &rec);
    let p = staff.project();
    assert_eq!(p.pending(), &[rec.id]);
    assert!(p.rejected().is_empty());
    assert_eq!(totals(&staff, vote), vec![0, 0]);
}

#[test]
fn a_forged_founding_record_is_rejected() {
    let (mut staff, _, _) = setup();
    let mallory = DeviceKey::from_secret([66; 32]);
    let fake_space = forge(
        &mallory,
        None,
        1,
        vec![],
        Payload::CreateSpace {
            name: "Mine now".into(),
            display_name: "Mallory".into(),
            languages: vec![],
            nonce: [0; 16],
        },
    );
    append_records(&mut staff.space_doc, std::slice::from_ref(&fake_space), T0).expect("append");
    let space = staff.space();
    assert!(space
        .rejected()
        .iter()
        .any(|r| r.id == fake_space.id && r.reason == RejectReason::ForeignGenesis));
    assert_eq!(space.current_role(&mallory.member()), None);
    assert_eq!(space.read_model().name, "Sakura-chō residents");

    let fake_project = forge(
        &staff.key,
        None,
        1,
        space.frontier(),
        Payload::CreateProject {
            space: staff.space_id,
            title: "Other".into(),
            description: String::new(),
            nonce: [1; 16],
        },
    );
    insert(&mut staff, &fake_project);
    assert_eq!(
        reason_of(&staff, fake_project.id),
        Some(RejectReason::ForeignGenesis)
    );
    assert_eq!(staff.project().overview().title, "Renovating Sakura Park");
}

#[test]
fn an_invitation_from_a_resident_or_a_join_without_the_key_is_rejected() {
    let (mut staff, bob, _) = setup();
    let space = staff.space();
    let invite_secret = [77u8; 32];
    let invite = forge(
        &bob.key,
        Some(staff.space_id),
        space.max_lamport() + 1,
        space.frontier(),
        Payload::Invite {
            invite_key: DeviceKey::from_secret(invite_secret).member().0,
            role: Role::Staff,
            max_uses: None,
            note: String::new(),
        },
    );
    append_records(&mut staff.space_doc, std::slice::from_ref(&invite), T0).expect("append");
    let space = staff.space();
    assert!(space.rejected().iter().any(|r| r.id == invite.id
        && r.reason
            == RejectReason::Forbidden {
                needed: "staff".into()
            }));

    // A valid invitation, but the joiner never had its secret.
    let link = staff.invite(Role::Resident, None);
    let eve = DeviceKey::from_secret([88; 32]);
    let join_record = link.invite_record().expect("invite record");
    let join = forge(
        &eve,
        Some(staff.space_id),
        join_record.body.lamport + 1,
        vec![join_record.id],
        Payload::Join {
            invitation: join_record.id,
            display_name: "Eve".into(),
            proof: Sig64([0; 64]),
        },
    );
    append_records(&mut staff.space_doc, std::slice::from_ref(&join), T0).expect("append");
    let space = staff.space();
    assert!(matches!(
        space
            .rejected()
            .iter()
            .find(|r| r.id == join.id)
            .map(|r| &r.reason),
        Some(RejectReason::InvalidInvitation { .. })
    ));
    assert_eq!(space.current_role(&eve.member()), None);
}

#[test]
fn two_devices_claiming_a_single_use_invitation_offline_lower_id_wins() {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, Some(1));
    let mut carol = staff.spawn(3);
    let mut dave = staff.spawn(4);
    carol.join(&link, "Carol").expect("join offline");
    dave.join(&link, "Dave").expect("join offline");
    // Each alone believes they are in.
    assert_eq!(
        carol.space().current_role(&carol.member()),
        Some(Role::Resident)
    );
    assert_eq!(
        dave.space().current_role(&dave.member()),
        Some(Role::Resident)
    );
    staff.sync(&mut carol);
    staff.sync(&mut dave);
    let space = staff.space();
    let overview = space.read_model();
    assert_eq!(overview.awaiting_approval.len(), 1, "{overview:?}");
    let waiting = overview.awaiting_approval[0].clone();
    let admitted = if waiting.member == carol.member() {
        &dave
    } else {
        &carol
    };
    assert_eq!(space.current_role(&admitted.member()), Some(Role::Resident));
    assert_eq!(space.current_role(&waiting.member), None);
    // The admitted join is the one with the lower record id.
    let admitted_join = yoriai_crdt::document::raw_records(&staff.space_doc)
        .expect("records")
        .iter()
        .filter_map(|b| SignedRecord::decode(b).ok())
        .find(|r| {
            matches!(r.body.payload, Payload::Join { .. }) && r.body.author == admitted.member()
        })
        .expect("admitted join")
        .id;
    assert!(admitted_join < waiting.join);
    // Carol and Dave reach the same verdict once they have the same records.
    carol.sync(&mut dave);
    assert_eq!(carol.space().read_model(), staff.space().read_model());
    assert_eq!(dave.space().read_model(), staff.space().read_model());
    // Staff approve the other.
    staff
        .act_space(SpaceCommand::ApproveJoin { join: waiting.join })
        .expect("approve");
    assert_eq!(
        staff.space().current_role(&waiting.member),
        Some(Role::Resident)
    );
    assert!(staff.space().read_model().awaiting_approval.is_empty());
}

#[test]
fn a_withdrawn_invitation_admits_nobody_who_had_not_joined_before_it() {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, None);
    let invitation = staff.space().read_model().invitations[0].id;
    // Erin joins and syncs before the withdrawal: she stays.
    let mut erin = staff.spawn(5);
    erin.join(&link, "Erin").expect("join");
    staff.sync(&mut erin);
    staff
        .act_space(SpaceCommand::RevokeInvitation { invitation })
        .expect("withdraw");
    // Someone with the leaked link signs a join naming only the invitation:
    // concurrent with the withdrawal, so it does not admit.
    let mut mallory = staff.spawn(6);
    // Mallory starts from a copy before the withdrawal.
    mallory.space_doc = copy_doc(&erin.space_doc, 6);
    mallory.join(&link, "Mallory").expect("joins offline");
    assert_eq!(
        mallory.space().current_role(&mallory.member()),
        Some(Role::Resident),
        "alone, she believes she is in"
    );
    staff.sync(&mut mallory);
    for r in [&staff, &mallory] {
        let space = r.space();
        assert_eq!(space.current_role(&erin.member()), Some(Role::Resident));
        assert_eq!(space.current_role(&mallory.member()), None);
        // Staff see the join and may still approve it.
        assert_eq!(space.read_model().awaiting_approval.len(), 1);
    }
}

#[test]
fn a_revocation_rejects_only_what_comes_causally_after_it() {
    let (mut staff, mut bob, vote) = setup();
    // Bob votes while offline; staff revoke him meanwhile.
    let offline = bob
        .act(ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Single(1),
        })
        .expect("ballot");
    staff
        .act_space(SpaceCommand::RevokeMember {
            member: bob.member(),
            reason: "moved away".into(),
        })
        .expect("revoke");
    staff.sync(&mut bob);
    assert!(
        reason_of(&staff, offline).is_none(),
        "made before he saw the revocation"
    );
    assert_eq!(totals(&staff, vote), vec![0, 1]);
    // Anything bob signs after seeing it does not count.
    let after = project_record(
        &bob,
        &bob.key,
        Payload::CastBallot {
            vote,
            choice: BallotChoice::Single(0),
        },
    );
    insert(&mut staff, &after);
    assert_eq!(reason_of(&staff, after.id), Some(RejectReason::NotMember));
    assert_eq!(totals(&staff, vote), vec![0, 1]);
}

#[test]
fn a_demoted_staff_members_earlier_actions_stay_valid() {
    let mut admin = founder(1);
    let link = admin.invite(Role::Staff, None);
    with_project(&mut admin, &[PhaseKind::Ideas, PhaseKind::Discussion]);
    let mut kenji = admin.spawn(5);
    kenji.join(&link, "Kenji").expect("join as staff");
    let discussion = phase_id(&kenji, PhaseKind::Discussion);
    kenji
        .act(ProjectCommand::SetPhaseState {
            phase: discussion,
            state: PhaseState::Open,
        })
        .expect("staff open");
    admin.sync(&mut kenji);
    admin
        .act_space(SpaceCommand::SetRole {
            member: kenji.member(),
            role: Role::Resident,
        })
        .expect("demote");
    admin.sync(&mut kenji);
    let p = admin.project();
    assert!(p.rejected().is_empty());
    assert_eq!(
        p.phase(&discussion).map(|x| x.state),
        Some(PhaseState::Open)
    );
    let late = project_record(
        &kenji,
        &kenji.key,
        Payload::SetPhaseState {
            phase: discussion,
            state: PhaseState::Closed,
        },
    );
    insert(&mut admin, &late);
    assert_eq!(
        reason_of(&admin, late.id),
        Some(RejectReason::Forbidden {
            needed: "staff".into()
        })
    );
}

#[test]
fn a_closed_vote_ignores_ballots_that_arrive_after_its_pin() {
    let (mut staff, mut bob, vote) = setup();
    let mut carol = staff.spawn(3);
    let link = staff.invite(Role::Resident, None);
    carol.join(&link, "Carol").expect("join");
    staff.sync(&mut carol);
    bob.pull(&staff);
    bob.act(ProjectCommand::CastBallot {
        vote,
        choice: BallotChoice::Single(0),
    })
    .expect("ballot");
    staff.sync(&mut bob);
    // Carol votes offline; the vote closes before her ballot arrives.
    carol
        .act(ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Single(1),
        })
        .expect("offline ballot");
    staff
        .act(ProjectCommand::CloseVote { vote })
        .expect("close");
    let final_tally = staff.project().vote(&vote).expect("v");
    staff.sync(&mut carol);
    staff.sync(&mut bob);
    for r in [&staff, &bob, &carol] {
        let v = r.project().vote(&vote).expect("vote");
        assert!(v.closed);
        assert_eq!(v.ballots, 1);
        assert_eq!(v, final_tally, "same tally on every replica");
    }
    assert_eq!(totals(&carol, vote), vec![1, 0]);
    // A replica that has the close but not the pinned changes says so
    // rather than showing a wrong tally.
    let mut late = staff.spawn(7);
    let close_only =
        yoriai_crdt::document::raw_records(staff.project_doc.as_ref().expect("p")).expect("raw");
    let mut fresh = yoriai_crdt::document::new_document(
        yoriai_crdt::document::DocKind::Project,
        actor_id(7, 9),
    );
    let refs: Vec<&[u8]> = close_only.iter().map(Vec::as_slice).collect();
    append_raw(&mut fresh, &refs, T0).expect("copy records without history");
    late.project_doc = Some(fresh);
    let v = late.project().vote(&vote).expect("vote");
    assert!(v.closed);
    assert_eq!(
        v.tally, None,
        "the pinned heads are not in this copy's history"
    );
}

#[test]
fn verified_ids_never_include_a_forgery_and_trusting_them_changes_nothing() {
    let (mut staff, mut bob, vote) = setup();
    bob.act(ProjectCommand::CastBallot {
        vote,
        choice: BallotChoice::Single(0),
    })
    .expect("ballot");
    staff.sync(&mut bob);
    let mut forged = project_record(
        &staff,
        &bob.key,
        Payload::CastBallot {
            vote,
            choice: BallotChoice::Single(1),
        },
    );
    forged.bytes[10] ^= 0x40;
    let forged_id = RecordId::of_bytes(&forged.bytes);
    insert(&mut staff, &forged);
    let judged = staff.project();
    let trusted: std::collections::HashSet<RecordId> = judged.verified_ids().copied().collect();
    assert!(!trusted.contains(&forged_id));
    let space = staff.space();
    let again = yoriai_crdt::ProjectState::from_doc_trusting(
        staff.project_doc.as_ref().expect("p"),
        staff.project_id.expect("id"),
        &space,
        &trusted,
    )
    .expect("judge");
    assert_eq!(again.snapshot(&space), judged.snapshot(&space));
    assert_eq!(totals(&staff, vote), vec![1, 0]);
}
