# Yoriai, English. Every string on screen comes from here or ja.ftl.
# Keep both files in step (a test checks that they hold the same ids).

app-name = Yoriai
home = Home: your spaces
skip-to-content = Skip to content
loading = Loading…
dismiss = Dismiss
settings = Settings
language = Language

## Errors
error-invalid = That cannot be saved.
error-not-allowed = Your role does not allow this.
error-phase-closed = This phase is not open.
error-not-found = Not found on this device (yet).
error-network = Could not reach the other device.
error-storage = This device could not save it. Nothing was lost.
error-other = Something went wrong.

## Time
just-now = just now
minutes-ago = { $n } min ago
hours-ago = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}

## First start
welcome-title = Welcome to Yoriai
welcome-intro = Yoriai is where neighbours raise ideas, discuss them and decide together. It works without the internet: what you write is kept on this device and shared when another device or the relay is reachable.
welcome-invited = You have been invited to join. Choose the name others will see; then you are in. What you write stays in this browser and is shared whenever the facilitator's laptop or the relay is reachable.
display-name = Display name
display-name-hint = Others in your spaces see this name. You can change it later.
continue = Continue
welcome-hello = Hello, { $name }
welcome-choose = Create a space for your community, join one with an invitation, or look around the demo.
create-space = Create a space
create-space-hint = For a town hall or association: you become its administrator.
space-name = Name of the space
create = Create
join-space = Join a space
join-space-hint = Paste the invitation link you were given (it works offline; the space arrives when a member's device or the relay is reachable).
invitation-link = Invitation link
invitation-web = Web address: residents at home open it in a browser, nothing to install (through the sync server)
join = Join
demo-space = Demo space
demo-space-hint = A sample neighbourhood project with ideas, comments, a survey and a vote.
load-demo = Load the demo

## Spaces
your-spaces = Your spaces
projects-count = { $n ->
    [one] 1 project
   *[other] { $n } projects
}
space-awaited = Space on its way
space-awaited-hint = You joined with an invitation. The space appears when a member's device or the relay is reachable.
you-are = You are { $role }
members-count = { $n ->
    [one] 1 member
   *[other] { $n } members
}
projects = Projects
no-projects = No projects yet.
no-open-phase = No phase open
project-awaited = On its way to this device
show-more-ideas = { $n ->
    [one] Show 1 more idea
   *[other] Show { $n } more ideas
}
ideas-left = ({ $n } not shown yet)
ideas-count = { $n ->
    [one] 1 idea
   *[other] { $n } ideas
}
comments-count = { $n ->
    [one] 1 comment
   *[other] { $n } comments
}
participants-count = { $n ->
    [one] 1 participant
   *[other] { $n } participants
}
new-since-visit = { $n } new since your last visit
new-project = New project
title = Title
brief = Brief (what residents should know)
phases = Phases
create-project = Create project
invitations = Invitations
role = Role
max-uses = Uses
unlimited = unlimited
note = Note
make-invitation = Make an invitation
qr-code = QR code of the invitation link
invitation-made = Show this QR code or send the link. Anyone holding it can join with the role shown until you withdraw it.
uses = Used
actions = Actions
no-note = (no note)
withdrawn = Withdrawn
withdraw = Withdraw
awaiting-approval = Waiting for approval
approve = Approve
members = Members
role-of = Role of { $name }
role-resident = Resident
role-staff = Staff
role-admin = Administrator

## Phases
phase-kind-information = Information
phase-kind-ideas = Ideas
phase-kind-discussion = Discussion
phase-kind-co-creation = Co-creation
phase-kind-survey = Survey
phase-kind-decision = Decision
phase-kind-results = Results
phase-kind-conversation = Conversation
phase-upcoming = Upcoming
phase-open = Open now
phase-closed = Closed
project-sections = Project sections
tab-ideas = Ideas
tab-surveys = Surveys
tab-votes = Votes
tab-statements = Conversation
tab-progress = Progress
tab-process = Process
tab-moderation = Moderation
open-phase = Open
close-phase = Close
reset-phase = Set back to upcoming
move-up = Move earlier
move-down = Move later
remove = Remove
phase-kind = Kind
add-phase = Add phase

## Ideas
ideas-closed = New ideas can be posted while an ideas or co-creation phase is open.
sort-by = Sort by
sort-supports = Most supported
sort-newest = Newest
no-ideas = No ideas yet. Be the first!
supports = supports
support = Support
withdraw-support = Supporting ✓
new-idea = Propose an idea
idea-body = Describe your idea
post-idea = Post idea
proposal = Proposal
edit-text = Edit the text
save = Save
cancel = Cancel
amendments = Suggested changes
amendment-open = awaiting the author
amendment-accepted = accepted
amendment-rejected = not accepted
removes = removes
inserts = inserts
accept = Accept
reject = Reject
amended-text = Your version of the text
propose-amendment = Suggest a change
stance-for = For
stance-against = Against
stance-neutral = Neutral
stance-summary = Stances: { $for } for, { $against } against, { $neutral } neutral
no-comments-here = None yet.
your-stance = Your stance
your-comment = Your comment
your-reply = Your reply
post-comment = Post comment
official-answer = Official answer
edited = edited
hidden-by-staff = Hidden by staff: { $reason }
reply = Reply
report = Report
hide = Hide
restore = Restore
reason = Reason

## Surveys and votes
no-votes = No votes yet.
open-vote = Open a vote
question = Question
method = Method
method-consent = Consent (agree / abstain / disagree / block)
method-single-choice = Single choice
method-approval = Approval (any number)
method-score = Score (0 to 5 each)
method-ranked-choice = Ranked choice
method-dot = Dot voting (10 dots)
options-one-per-line = Options, one per line
consent-agree = Agree
consent-abstain = Abstain
consent-disagree = Disagree
consent-block = Block
score-of = Score for { $option } (0–{ $max })
rank-of = Rank for { $option } (1 = first, 0 = not ranked)
dots-to-give = { $n } dots to give
ballots-count = { $n ->
    [one] 1 ballot
   *[other] { $n } ballots
}
vote-closed = Closed
vote-open = Open
you-voted = You voted
cast-ballot = Cast my vote
change-ballot = Change my vote
final-result = Final result
live-result = Live result
close-vote = Close the vote
result-pending = The final count is on its way from the device that closed it.
outcome-agreed = Agreed
outcome-not-agreed = Not agreed
outcome-blocked = Blocked
winner = winner
leading = leading
option = Option
round-n = Round { $n }
no-surveys = No surveys yet.
new-survey = New survey
question-n = Question { $n }
question-kind = Kind of answer
q-single = One choice
q-multiple = Several choices
q-scale = Scale 1–5
q-text = Free text
q-ranking = Ranking
required = required
add-question = Add a question
create-survey = Create survey
respondents-count = { $n ->
    [one] 1 respondent
   *[other] { $n } respondents
}
survey-closed = Closed
survey-open = Open
scale-hint = 1 = not at all, 5 = very much
send-answers = Send my answers
you-answered = You answered this survey; you can change your answers while it is open.
change-answers = Change my answers
close-survey = Close the survey
mean = Average { $mean }
points = { $n } points

## Progress
milestones = Milestones
no-milestones = No milestones yet.
due = due { $date }
percent-done = { $n }% done
set-progress = Progress
new-milestone = New milestone
due-date = Planned date
add = Add
posts = Progress updates
post-body = Text
publish = Publish
no-posts = No updates yet.

## Conversation
new-statement = Write a short statement others can agree or disagree with
post-statement = Post statement
votes-count = { $n ->
    [one] 1 vote
   *[other] { $n } votes
}
agree = Agree
disagree = Disagree
pass = Pass
agree-disagree-pass = { $agree } agree · { $disagree } disagree · { $pass } pass

## Moderation
moderation-log = Moderation log
no-moderation = Nothing moderated.
when = When
action = Action
by = By
mod-report = Reported
mod-hide = Hidden
mod-restore = Restored

## Sync
sync-status = Sync status
sync-offline = Offline
sync-syncing = Syncing
sync-up-to-date = Up to date
sync-offline-explain = No other device or relay is reachable. Everything you do is kept on this device and shared when one is.
sync-syncing-explain = Exchanging changes with the devices below.
sync-up-to-date-explain = Every connected device has everything this one has.
last-synced = last synced { $when }
never-synced = not synced yet
relay = Relay
no-relay = No relay set (Settings).
relay-reachable = reachable
relay-unreachable = not reachable
lan = Devices on this network
lan-off = Local network sync is off.
lan-failed = Local network sync could not start.
lan-no-peers = No member devices found on this network.
peer-nearby = nearby, not connected
peer-up-to-date = up to date
peer-syncing = syncing
sync-now = Sync now

## Settings
display-name-everywhere = Changing it also updates your name in every space you belong to.
relay-address = Relay address
relay-hint = A relay lets devices sync when they are not on the same network. Leave empty to sync only on the local network and by file.
large-text = Large text
high-contrast = High contrast
this-device = This device
device-key = Its member key (other devices know it by this):
saved-name = Name saved.
saved-relay = Relay saved.

## Insight: opinion map, topics, summary, projector
tab-insight = Insight
insight-explain = What the discussion adds up to, computed on this device from everything here. Nothing is sent anywhere.
projector = Projector view
leave-projector = Leave the projector view
live = Live: updates as votes arrive
no-conversation = This project has no conversation phase yet.
map-counts = { $counted } of { $people } people on the map · { $votes } votes
map-label = Opinion map: { $groups } groups of { $people } people.
group-name = Group { $name }
people-count = { $n ->
    [one] 1 person
   *[other] { $n } people
}
your-group = your group
you = You
you-are-in = You are in group { $name }.
you-need-votes = { $n ->
    [one] Vote on 1 more statement to appear on the map.
   *[other] Vote on { $n } more statements to appear on the map.
}
no-groups-yet = Not enough votes yet to see opinion groups.
what-sets-apart = What sets this group apart:
agree-pct = { $n }% of the group agree
disagree-pct = { $n }% of the group disagree
all-agree-pct = every group agrees (at least { $n }%)
all-disagree-pct = every group disagrees (at least { $n }%)
spread-points = groups { $n } points apart
consensus = Common ground
consensus-explain = Statements every group agrees on, or rejects, together.
divisive = Where groups differ
divisive-explain = Statements the groups see most differently.
none-yet = None yet.
topics = Topics
topics-explain = { $n ->
    [one] 1 post, grouped by what it talks about.
   *[other] { $n } posts (ideas, comments, statements), grouped by what they talk about and named by their key terms.
}
key-terms = Key terms
no-posts-yet = Nothing has been written yet.
posts-count = { $n ->
    [one] 1 post
   *[other] { $n } posts
}
summary = Summary in residents' own words
summary-explain = Every sentence is a quote from a post; open it to read it in context.
open-post = Open the idea
next-statement = What do you think?
all-voted = You have voted on every statement. Thank you!
my-progress = You voted on { $n } of { $total } statements

# Let tablets join (the desktop app serves the web app)
tablets = Let tablets join
tablets-hint = Residents open Yoriai in their tablet's browser, with nothing to install: this laptop serves it on the local network. Each QR code carries a fresh invitation (residents).
tablets-start = Let tablets join
tablets-on = Scan the code, or open one of these addresses on a tablet on the same Wi-Fi:
tablets-qr = QR code that opens Yoriai and joins this space
tablets-stop = Stop serving tablets
sync-server = Sync server (the laptop or relay this page came from)
offline-copy-kept = This app is kept in this browser: it opens even with no network.
offline-copy-plain-http = This page came over the local network without HTTPS, so the browser cannot keep the app for use with no network. Your work is kept in this browser either way.
offline-copy-no-worker = This browser does not keep the app for use with no network (service workers are off here, as in some private windows). Let it sync before you close this page.
keep-page-open = You are offline. Keep this page open to go on working: with no network it cannot be opened again until the laptop or relay it came from is reachable. Everything you write is kept and goes out when you are back.
