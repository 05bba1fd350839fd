// Generated from docs/openapi.json by `npm run gen:api` (openapi-typescript): do not edit.
// The server describes its API in code (server/src/routes/wire); regenerate after changing it.


export interface paths {
  "/admin/quarantine": {
    /** Refused pushes from the caller's jurisdiction, newest first. */
    get: operations["list"];
  };
  "/admin/quarantine/{id}": {
    /** One item, with the document as stored and as it would read with the item's changes. */
    get: operations["show"];
  };
  "/admin/quarantine/{id}/export": {
    /** The item as a file to keep: its details, its changes in base64, the document. */
    get: operations["export"];
  };
  "/admin/quarantine/{id}/release": {
    /** Judge the item's document again as its author is today; stored if it passes. */
    post: operations["release"];
  };
  "/admin/roster": {
    /** A roster file (CSV or XLSX) checked, and imported when asked and every row is good. */
    post: operations["upload"];
  };
  "/admin/units": {
    /** The units of the caller's jurisdiction, in tree order. */
    get: operations["units"];
    post: operations["add_unit"];
  };
  "/admin/units/{code}/alert-defaults": {
    get: operations["unit_defaults"];
    put: operations["set_unit_defaults"];
  };
  "/admin/units/{code}/location": {
    /** Place a unit of the caller's jurisdiction on the map (`null`s take it off). */
    put: operations["set_location"];
  };
  "/admin/users": {
    /**
     * People in the caller's jurisdiction (or one unit of it), with whether they have enrolled and
     * how many working devices they have.
     */
    get: operations["users"];
    post: operations["add_user"];
  };
  "/admin/users/{id}/enrolment-code": {
    /**
     * An administrator (or a township leader, for the township's field staff: see
     * `admin::policy`) issues an enrolment code for someone in their jurisdiction. Someone outside
     * it answers exactly like someone who does not exist. The link comes also as a QR code (SVG)
     * of the absolute address, for printing.
     */
    post: operations["issue_code"];
  };
  "/admin/users/{id}/move": {
    /**
     * Same rules as every admin action: administrators only, and a person outside the
     * administrator's jurisdiction answers like one who does not exist. The new unit must be
     * inside it too: nobody hands people to a unit they do not run.
     */
    post: operations["move_user"];
  };
  "/blobs/{sha256}": {
    /**
     * `GET /blobs/{sha256}`: a complete blob, streamed chunk by chunk. Its name is its content, so
     * it never changes: cached for a year, revalidated by ETag if asked.
     * A complete blob's bytes, cacheable forever under its ETag.
     */
    get: operations["read"];
    /**
     * `PUT /blobs/{sha256}?offset=N`: the chunk that starts at byte N of this device's upload.
     * One chunk of a blob, at `offset`; the whole blob's size in `anlan-blob-size`.
     */
    put: operations["upload"];
  };
  "/blobs/{sha256}/upload": {
    /**
     * `GET /blobs/{sha256}/upload`: how many bytes the server holds from this device, i.e. where
     * to resume (or that the blob is complete, whoever finished it).
     * Where an upload stands, to resume it.
     */
    get: operations["status"];
  };
  "/campaigns": {
    /** Campaigns covering the caller's scope, with their rosters and the reports received. */
    get: operations["list"];
    /** Launch a concentrated or special campaign over townships of the caller's jurisdiction. */
    post: operations["create"];
  };
  "/campaigns/{id}/completeness": {
    get: operations["one_completeness"];
  };
  "/campaigns/{id}/remind": {
    /**
     * Remind the officers of the villages of the caller's part of the roster that have not
     * answered. Shares the clock's once-a-day claim, so a second press the same day sends nothing.
     */
    post: operations["remind"];
  };
  "/campaigns/{id}/reminders": {
    /** The reminders sent for the caller's part of the roster. */
    get: operations["reminders"];
  };
  "/cases": {
    /** The cases the caller can see, as their projections. */
    get: operations["list"];
  };
  "/cases/{doc}": {
    /** One case's projection. */
    get: operations["one"];
  };
  "/cases/{doc}/alerts": {
    /** The alerts sent about a case, for leaders. */
    get: operations["alert_log"];
  };
  "/cases/{doc}/as-of": {
    /**
     * The case as the server held it at `at`: every change the server had committed by then
     * (server clock), whatever the phones' clocks claimed.
     */
    get: operations["as_of"];
  };
  "/cases/{doc}/history": {
    /** Who changed what in a case, as JSON or a CSV download. */
    get: operations["history"];
  };
  "/devices": {
    /** The caller's devices. */
    get: operations["devices"];
  };
  "/devices/{id}/retire": {
    /**
     * Retire one of my devices (a phone handed back): it may upload once more, then it is revoked.
     * Until then it reads nothing (see [`crate::auth::LastUpload`]), so its live stream ends now.
     */
    post: operations["retire"];
  };
  "/devices/{id}/revoke": {
    /** Sign out one of my devices (a lost phone): its next contact gets 401 `device_revoked`. */
    post: operations["revoke"];
  };
  "/devices/self/name": {
    /**
     * Name this device as its owner knows it ("我的华为"): the name others see in the device list
     * and the audit trail. Blank, over-long or control characters are refused, nothing changed.
     */
    put: operations["rename"];
  };
  "/enrol": {
    /** Phone + one-time code + a new password → a registered device. */
    post: operations["enrol"];
  };
  "/live": {
    /** Server-sent events: `feed` (`{"cursor": n}`) whenever the feed advances, so the phone syncs. */
    get: operations["live"];
  };
  "/login": {
    /** Phone + password → another device for someone already enrolled. */
    post: operations["login"];
  };
  "/me/alert-channels": {
    get: operations["mine"];
    put: operations["set_mine"];
  };
  "/openapi.json": {
    /** This description (no sign-in needed). */
    get: operations["openapi_json"];
  };
  "/people": {
    /**
     * Everyone in the caller's township (for people in a village: the township around it, whose
     * leaders and staff handle its cases), or in the caller's own unit when it is larger.
     */
    get: operations["people"];
  };
  "/petitions": {
    /** Petition items by next statutory deadline, nearest (or most overdue) first. */
    get: operations["petitions"];
  };
  "/petitions/{doc}/confirm-date": {
    /** A leader confirms a date the server corrected for a wrong clock (PROTOCOL.md §11). */
    post: operations["confirm_date"];
  };
  "/push/key": {
    /** The VAPID public key, for `pushManager.subscribe({applicationServerKey})`. */
    get: operations["key"];
  };
  "/push/subscriptions": {
    /**
     * `PushSubscription.toJSON()`; sent again on every app start, replacing the stored copy.
     * The endpoint must be https on a public address unless the operator allows otherwise.
     */
    post: operations["subscribe"];
    delete: operations["unsubscribe"];
  };
  "/session": {
    /** Who this device is signed in as. */
    get: operations["session"];
  };
  "/stats": {
    /** Statistics for a unit and period, for the township level and above. */
    get: operations["report"];
  };
  "/stats/export.csv": {
    /** Every case behind the statistics as CSV, streamed. */
    get: operations["export_csv"];
  };
  "/stats/export.xlsx": {
    /** The statistics and every case behind them as a workbook. */
    get: operations["export_xlsx"];
  };
  "/sync": {
    /**
     * One sync round: push changes, pull the feed (PROTOCOL.md). The bodies are CBOR
     * (`sync_protocol::wire::SyncRequest` and `SyncResponse`), not JSON.
     */
    post: operations["sync"];
  };
  "/token/rotate": {
    /** A fresh token for this device; the one that made the request stops working. */
    post: operations["rotate"];
  };
  "/villages": {
    /**
     * The villages the caller may record for, with where they are when known (the leaders'
     * offline map draws from it).
     */
    get: operations["villages"];
  };
  "/visits": {
    /** Downward visits, newest first. */
    get: operations["visits"];
  };
}

export type webhooks = Record<string, never>;

export interface components {
  schemas: {
    /** @description A person just added: not enrolled, no devices. */
    AddedUser: {
      /** Format: int64 */
      devices: number;
      enrolled: boolean;
      id: string;
      name: string;
      phone: string | null;
      role: string;
      unit_code: string;
    };
    /** @description A mediation entry of the timeline and the agreement (an attachment) it refers to. */
    Agreement: {
      entry: string;
      sha256: string;
    };
    /**
     * @description `GET /cases/{doc}/as-of`: the case as it stood, in the shape `GET /cases/{doc}` gives it;
     * or, for a state the schema refuses, the tolerant reading with the reason.
     */
    AsOf: components["schemas"]["CaseView"] | components["schemas"]["UnreadableCase"];
    Attachment: {
      mime: string;
      name: string | null;
      sha256: string;
      /** Format: int64 */
      size: number;
    };
    /**
     * Format: binary
     * @description Bytes that are not JSON (a CBOR sync message, a spreadsheet, a photo), described as such.
     */
    Binary: string;
    /** @description Where an upload stands. */
    BlobStatus: {
      /** @description True only once the SHA-256 of the whole matched its name. */
      complete: boolean;
      mime: string | null;
      /**
       * Format: int64
       * @description Bytes stored so far: the offset the next chunk must start at.
       */
      received: number;
      sha256: string;
      /** Format: int64 */
      size: number | null;
    };
    /** @description One category's or severity's line. */
    Breakdown: {
      /** Format: int64 */
      found: number;
      key: string;
      label: string;
      /** Format: int64 */
      overdue: number;
      /** Format: int64 */
      resolved: number;
    };
    Campaign: {
      /** Format: int64 */
      created_at: number;
      created_by: string | null;
      /** Format: int64 */
      deadline: number;
      focus: string[];
      id: string;
      kind: string;
      name: string;
      /** @description The half-month (`2026-12a`) of a generated campaign. */
      period: string | null;
      unit_code: string;
      /** Format: int64 */
      window_end: number;
      /** Format: int64 */
      window_start: number;
    };
    /** @description `GET /campaigns`: what a phone caches to report and count completeness offline. */
    CampaignList: {
      campaigns: components["schemas"]["Listed"][];
      /**
       * Format: int64
       * @description The server's clock (Unix ms).
       */
      now: number;
      /** @description What the caller may launch a campaign for (leaders only; empty otherwise). */
      townships: components["schemas"]["Township"][];
    };
    /** @description A case as it stands at some heads: the server's projection and the API's answer. */
    Case: components["schemas"]["Casework"] & ({
      attachments: components["schemas"]["Attachment"][];
      case_no: string | null;
      category: components["schemas"]["Category"];
      /** @description Times the server corrected because the phone's clock was wrong (PROTOCOL.md §11). */
      clock_corrections: components["schemas"]["ClockCorrection"][];
      /**
       * @description Fields that hold more than one concurrent value, with every value as text. Empty when
       * nobody disagrees.
       */
      conflicts: components["schemas"]["Conflict"][];
      /** Format: int64 */
      deadline: number | null;
      description: string;
      handler: string | null;
      location: null | components["schemas"]["Location"];
      /** @description Fields over their product limit after concurrent edits: to be shortened. Empty normally. */
      over_limits: components["schemas"]["OverLimit"][];
      parties: components["schemas"]["Party"][];
      /**
       * Format: int64
       * @description Milliseconds since the Unix epoch, as every timestamp here.
       */
      reported_at: number;
      reporter: string;
      responsible_leader: string | null;
      /** Format: int64 */
      schema_version: number;
      severity: components["schemas"]["Severity"];
      status: components["schemas"]["CaseStatus"];
      timeline: components["schemas"]["TimelineEntry"][];
      title: string;
      village: string;
    });
    /**
     * @description 动态管理: where the case is in its life.
     * @enum {string}
     */
    CaseStatus: "reported" | "acknowledged" | "handling" | "resolved" | "closed" | "escalated";
    /**
     * @description One case: its document id and every field of the document as the strict schema reads it
     * (`sync_protocol::case::Case`; PROTOCOL.md §Documents). Times are ms since the epoch.
     */
    CaseView: components["schemas"]["Case"] & {
      doc: string;
    };
    Casework: {
      agreements: components["schemas"]["Agreement"][];
      closing_note: string | null;
      /**
       * @description Two people closed the case concurrently with different outcomes: `conflicts` holds both,
       * and the case counts as not closed until the responsible leader picks one.
       */
      needs_confirmation: boolean;
      outcome: null | components["schemas"]["Outcome"];
      resolution_plan: string;
      transitions: components["schemas"]["Transition"][];
    };
    /**
     * @description 矛盾纠纷类别.
     * @enum {string}
     */
    Category: "land" | "compensation" | "housing" | "rights" | "family" | "labour" | "online_opinion" | "group_petition" | "extreme" | "other";
    /** @description The device that pushed a change, by its owner's name for it. */
    ChangeDevice: {
      /** Format: int64 */
      id: number;
      label: string;
    };
    /** @description Who a change is by, as the directory names them now. */
    ChangeUser: {
      id: string;
      name: string;
      role: string;
    };
    ClockCorrection: {
      /** Format: int64 */
      claimed: number;
      /** Format: int64 */
      corrected: number;
      /** @description Which time: [`CorrectedField`] as text. */
      field: string;
    };
    Completeness: {
      counties: components["schemas"]["Tally"][];
      total: components["schemas"]["Tally"];
      townships: components["schemas"]["Tally"][];
      villages: components["schemas"]["VillageState"][];
    };
    CompletenessAnswer: {
      campaign: components["schemas"]["Campaign"];
      completeness: components["schemas"]["Completeness"];
      villages: components["schemas"]["RosterVillage"][];
    };
    ConfirmDate: {
      /**
       * Format: int64
       * @description When the step happened (Unix ms).
       */
      date: number;
      /** @description The corrected date's `field` as `pending_dates` lists it (`decision.at`). */
      field: string;
    };
    Conflict: {
      field: string;
      values: string[];
    };
    CreateCampaign: {
      /** Format: int64 */
      deadline: number;
      /** @description Case categories to look for. */
      focus?: string[];
      /** @description `concentrated` or `special` (half-monthly campaigns are generated). */
      kind: string;
      name: string;
      /** @description County and city: which townships (default all of theirs). A township: its own only. */
      townships?: string[];
      /** Format: int64 */
      window_end: number;
      /** Format: int64 */
      window_start: number;
    };
    Created: {
      campaign: components["schemas"]["Campaign"];
      villages: components["schemas"]["RosterVillage"][];
    };
    /** @description One alert sent (or being sent) about a case. */
    Delivery: {
      /** Format: int64 */
      acknowledged_at: number | null;
      acknowledged_by: string | null;
      /** @description `app` or `sms_link`. */
      acknowledged_via: string | null;
      /** Format: int64 */
      attempts: number;
      channel: string;
      /** Format: int64 */
      created_at: number;
      kind: string;
      last_error: string | null;
      level: string;
      /**
       * Format: int64
       * @description When the provider's delivery receipt (state `delivered` or `undelivered`) came in.
       */
      receipt_at: number | null;
      /** Format: int64 */
      sent_at: number | null;
      state: string;
      user_id: string;
      user_name: string;
    };
    /** @description One of the caller's devices. */
    Device: {
      /** Format: int64 */
      created_at: number;
      /** @description The device that asked. */
      current: boolean;
      /** Format: int64 */
      id: number;
      label: string;
      /**
       * Format: int64
       * @description Retired: it may upload once more, then it is revoked.
       */
      retire_at: number | null;
      /** Format: int64 */
      revoked_at: number | null;
    };
    /** @description A device as its own token's answers name it. */
    DeviceRef: {
      /** @description The prefix every Automerge actor id of this device starts with. */
      actor_prefix: string;
      /** Format: int64 */
      id: number;
    };
    Devices: {
      devices: components["schemas"]["Device"][];
    };
    /**
     * @description The stored document and the document as it would read with the waiting changes applied
     * (each as plain JSON), with why it cannot, when it cannot.
     */
    Document: {
      /** @description How many changes wait. */
      changes: number;
      problem: string | null;
      stored: unknown;
      would_read: unknown;
    };
    EnrolRequest: {
      /** @description The one-time enrolment code an administrator issued. */
      code: string;
      /** @description What to call this device (default 手机). */
      label?: string | null;
      password: string;
      phone: string;
    };
    /** @description The body of every refusal. */
    ErrorBody: {
      /**
       * @description Machine-readable: `bad_request`, `forbidden`, `not_found`, `bad_credentials`,
       * `too_many_attempts`, `storage_full`, …
       */
      code: string;
      /** @description For people, in English. */
      message: string;
    };
    /**
     * @description Everything about one item, its changes in base64 (standard alphabet), so that it can be
     * kept, read or pushed again by hand. Served as a download.
     */
    Export: {
      changes: string[];
      document: components["schemas"]["Document"];
      item: components["schemas"]["Item"];
    };
    /**
     * @description One field as a change left it. `old`/`new` are `None` where the field was absent or null.
     * An entry of a list field (the timeline, parties, attachments) is reported alone, in words:
     * `added entry 3: visit · u_1: 走访`, `removed entry: …`, or the entry before and after.
     */
    FieldChange: {
      field: string;
      new: string | null;
      old: string | null;
    };
    /** @description The figures of one jurisdiction for one period. */
    Figures: {
      /**
       * Format: int64
       * @description Cases reported in the period (排查).
       */
      found: number;
      /**
       * Format: int64
       * @description Open cases whose deadline date has passed, as of now (not as of the period's end).
       */
      overdue: number;
      /**
       * Format: double
       * @description `resolved / found` in percent, one decimal; `null` when nothing was found.
       */
      resolution_rate: number | null;
      /**
       * Format: int64
       * @description Cases that became resolved or closed in the period, whenever reported (化解).
       */
      resolved: number;
      /**
       * Format: int64
       * @description Sweep reports received in the period.
       */
      sweep_reports: number;
      /**
       * Format: int64
       * @description Distinct villages those visits went to (走访N个村).
       */
      villages_visited: number;
      /**
       * Format: int64
       * @description Downward visits dated in the period.
       */
      visits: number;
    };
    History: {
      doc: string;
      /** @description Every logged change, oldest first. */
      entries: components["schemas"]["HistoryEntry"][];
    };
    /** @description One logged change of a case. */
    HistoryEntry: {
      actor: string;
      /**
       * Format: int64
       * @description When its author's clock says it was made (ms; whole seconds as Automerge stores them),
       * `None` when the change carries no time.
       */
      change_time: number | null;
      device: null | components["schemas"]["ChangeDevice"];
      fields: components["schemas"]["FieldChange"][];
      hash: string;
      /**
       * Format: int64
       * @description When the server committed it (server clock, ms since the epoch).
       */
      received_at: number;
      /**
       * Format: int64
       * @description Position in the server's change log (the feed).
       */
      seq: number;
      /** @description True for the server's own changes (the case number); `user` and `device` are then null. */
      server: boolean;
      user: null | components["schemas"]["ChangeUser"];
    };
    /** @description The settings in force after every layer is applied. */
    InForce: {
      quiet: null | components["schemas"]["QuietHours"];
      sms: boolean;
    };
    /** @description An enrolment code for someone, as a link and (when the server's address is known) a QR code. */
    IssuedCode: {
      code: string;
      /** Format: int64 */
      expires_at: number;
      /** @description Relative to the app's origin. */
      link: string;
      /** @description Absolute, when the request said which host it was for. */
      qr_link: string | null;
      /** @description `qr_link` as an SVG image. */
      qr_svg: string | null;
      user_id: string;
    };
    /** @description One quarantined push, without its bytes. */
    Item: {
      /** @description Why the merge refused it (a sync `reason` code). */
      code: string;
      /** Format: int64 */
      device_id: number;
      device_label: string;
      doc: string;
      /** Format: int64 */
      id: number;
      message: string;
      /** Format: int64 */
      received_at: number;
      /** Format: int64 */
      released_at: number | null;
      released_by: string | null;
      unit_code: string;
      unit_name: string;
      user_id: string;
      user_name: string;
    };
    Items: {
      items: components["schemas"]["Item"][];
    };
    Listed: {
      campaign: components["schemas"]["Campaign"];
      reports: components["schemas"]["ReportSeen"][];
      villages: components["schemas"]["RosterVillage"][];
    };
    Location: {
      /** Format: double */
      accuracy_m: number | null;
      /** Format: double */
      lat: number;
      /** Format: double */
      lon: number;
    };
    /** @description Both or neither; `null`s take the unit off the map. */
    LocationRequest: {
      /** Format: double */
      latitude?: number | null;
      /** Format: double */
      longitude?: number | null;
    };
    LoginRequest: {
      label?: string | null;
      password: string;
      phone: string;
    };
    Moved: {
      unit: components["schemas"]["MovedTo"];
      user_id: string;
    };
    MovedTo: {
      code: string;
      kind: string;
      name: string;
      path: string;
    };
    MoveRequest: {
      /** @description The new unit's code. */
      unit: string;
    };
    /** @description `GET /me/alert-channels`: mine as I set them, my unit's default, and what is in force. */
    MyAlertChannels: {
      effective: components["schemas"]["InForce"];
      own: components["schemas"]["Prefs"];
      /** @description The roster has a phone number for me. */
      phone_on_roster: boolean;
      /**
       * Format: int64
       * @description How many of my devices take Web Push.
       */
      push_phones: number;
      /** @description The server can send SMS at all. */
      sms_configured: boolean;
      unit_default: components["schemas"]["InForce"];
    };
    /** @description A newly registered device and the token it signs in with from now on. */
    NewDevice: {
      device: components["schemas"]["DeviceRef"];
      token: string;
      user: components["schemas"]["UserRef"];
    };
    NewUnitRequest: {
      code: string;
      kind: string;
      /**
       * Format: double
       * @description Optional coordinates (WGS-84 degrees), both or neither.
       */
      latitude?: number | null;
      /** Format: double */
      longitude?: number | null;
      name: string;
      /** @description The parent unit's code. */
      parent: string;
    };
    NewUserRequest: {
      /** @description Chosen by the server when absent or blank. */
      id?: string | null;
      name: string;
      phone?: string | null;
      role: string;
      /** @description The unit's code. */
      unit: string;
    };
    /**
     * @description 结案方式: how a closed case was settled. Recorded with the closing transition.
     * @enum {string}
     */
    Outcome: "mediated" | "handled" | "unfounded" | "referred";
    /** @description A field over its product limit: `count` characters or items where `limit` are allowed. */
    OverLimit: {
      count: number;
      field: string;
      limit: number;
    };
    Party: {
      name: string;
      note: string | null;
      phone: string | null;
    };
    People: {
      people: components["schemas"]["Person"][];
    };
    Person: {
      id: string;
      name: string;
      role: string;
      unit_code: string;
      unit_name: string;
    };
    PetitionItem: components["schemas"]["Record"] & ({
      /**
       * Format: int64
       * @description Days left before `due_at` (0 on the last day, negative when overdue); `null` when no
       * deadline runs.
       */
      days_left: number | null;
      /** @description No deadline left, or the petitioner's window to ask for review has closed. */
      finished: boolean;
    });
    /**
     * @description One layer of settings as set (a person's own, or a unit's default); `null` leaves a setting
     * to the layer below. Quiet hours are Beijing hours 0–23, both or neither.
     */
    Prefs: {
      /** Format: int64 */
      quiet_from?: number | null;
      /** Format: int64 */
      quiet_to?: number | null;
      /** @description SMS when Web Push does not reach them in time. */
      sms?: boolean | null;
    };
    PushKey: {
      /** @description The VAPID public key, for `pushManager.subscribe({applicationServerKey})`. */
      application_server_key: string;
    };
    PushKeys: {
      auth: string;
      p256dh: string;
    };
    /**
     * @description `PushSubscription.toJSON()`. Described here; the handler reads it as `push::Subscription`,
     * which checks the keys as it parses (a test below keeps the two in step).
     */
    PushSubscription: {
      endpoint: string;
      /** Format: int64 */
      expirationTime?: number | null;
      keys: components["schemas"]["PushKeys"];
    };
    /** @description Beijing hours: `from` inclusive to `to` exclusive, across midnight when `from > to`. */
    QuietHours: {
      /** Format: int32 */
      from: number;
      /** Format: int32 */
      to: number;
    };
    Reason: {
      code: components["schemas"]["RejectCode"];
      /** @description For people: which field and why, in English. */
      message: string;
    };
    /** @description A record (petition item or visit) as the projection has it. */
    Record: {
      /** Format: int64 */
      at: number | null;
      /** @description The record's document as JSON (see PROTOCOL.md for each kind's fields). */
      body: unknown;
      doc: string;
      /**
       * Format: int64
       * @description The next statutory deadline (Unix ms).
       */
      due_at: number | null;
      /** @description `petition` or `visit`. */
      kind: string;
      person: string | null;
      ref_key: string | null;
      status: string | null;
      unit_code: string;
    };
    /** @enum {string} */
    RejectCode: "out_of_scope" | "bad_change" | "foreign_actor" | "schema" | "forbidden" | "duplicate_seq" | "too_large";
    /** @description A release's verdict: `status` as in a sync result, with its `reason` if refused again. */
    Released: {
      doc: string;
      reason: null | components["schemas"]["Reason"];
      status: components["schemas"]["Status"];
    };
    /** @description What "remind now" did. */
    Remind: {
      /** @description Missing villages already reminded today. */
      already_today: string[];
      /** @description Distinct people reminded. */
      people: number;
      /** @description The villages reminded now. */
      reminded: string[];
      /** @description Messages the push services accepted. */
      sent: number;
      /** @description Missing villages reminded now. */
      villages: number;
    };
    Reminders: {
      reminders: components["schemas"]["ReminderSent"][];
    };
    ReminderSent: {
      /** Format: int64 */
      created_at: number;
      /** @description The Beijing day (`YYYY-MM-DD`). */
      day: string;
      /** Format: int64 */
      sent_at: number | null;
      state: string;
      /** @description `null` (state `nobody`) when no officer or work-team member answers for the village. */
      user_id: string | null;
      village: string;
    };
    Renamed: {
      /** Format: int64 */
      id: number;
      label: string;
    };
    RenameRequest: {
      name: string;
    };
    Report: {
      by_category: components["schemas"]["Breakdown"][];
      by_severity: components["schemas"]["Breakdown"][];
      from: string;
      /**
       * Format: int64
       * @description Unix ms; "overdue" is as of this moment.
       */
      generated_at: number;
      period_label: string;
      resolved_basis: components["schemas"]["ResolvedBasis"];
      summary: string;
      /** @description What `sweep_reports` counts, and where completeness is. */
      sweep_note: string;
      /** @description Completeness of every campaign whose deadline falls in the period (排查完成情况). */
      sweeps: components["schemas"]["SweepLine"][];
      to: string;
      totals: components["schemas"]["Figures"];
      unit: components["schemas"]["UnitRef"];
      /** @description The jurisdiction's direct child units (townships of a county, villages of a township). */
      units: components["schemas"]["UnitFigures"][];
    };
    /**
     * @description A sweep report as completeness counts it (`sync_protocol::sweep::completeness::ReportInput`),
     * with the server's clock corrections beside it, never counted.
     */
    ReportSeen: {
      /** @description How many of the report's times the server corrected for a wrong phone clock. */
      clock_corrections: number;
      /**
       * Format: int32
       * @description Cases listed as found.
       */
      found: number;
      /** @description Someone said "无新增矛盾纠纷". */
      nil: boolean;
      /**
       * Format: int64
       * @description When the server first stored the report (Unix ms).
       */
      received_at: number | null;
      village: string;
    };
    /** @description How many resolved cases were timed from their timeline, and how many by their report time. */
    ResolvedBasis: {
      /** Format: int64 */
      from_reported_at: number;
      /** Format: int64 */
      from_timeline: number;
      /** Format: int64 */
      from_transitions: number;
      rule: string;
    };
    Retiring: {
      /** Format: int64 */
      id: number;
      /** @description Always true. */
      retiring: boolean;
    };
    Revoked: {
      /** Format: int64 */
      id: number;
      /** @description Always true. */
      revoked: boolean;
    };
    /** @description What a roster upload found, and did. */
    RosterAnswer: {
      bad: components["schemas"]["RosterBadRow"][];
      dry_run: boolean;
      /** @description Rows with nothing wrong in the file or in the caller's rights. */
      good: number;
      imported: boolean;
      /** @description Units placed on the map. */
      placed: number;
      /** @description The people imported (empty unless `imported`). */
      users: components["schemas"]["RosterUser"][];
    };
    RosterBadRow: {
      /** @description The row's line in the file. */
      line: number;
      reason: string;
    };
    RosterUser: {
      id: string;
      name: string;
      phone: string | null;
      role: string;
      unit_code: string;
    };
    /** @description A village on a campaign's roster. */
    RosterVillage: {
      code: string;
      county: string;
      name: string;
      township: string;
      /** @description The township's name now (the code is what counts; the name is for people). */
      township_name: string;
    };
    Session: {
      device: components["schemas"]["DeviceRef"];
      /** @description Changes when the server's database is replaced: a phone that saw another epoch starts over. */
      epoch: string;
      unit: components["schemas"]["SessionUnit"];
      user: components["schemas"]["SessionUser"];
    };
    SessionUnit: {
      code: string;
      name: string;
      path: string;
    };
    SessionUser: {
      id: string;
      name: string;
      role: string;
    };
    /**
     * @description 轻重缓急. Ordered: a later variant is more severe, which is what "raise" means.
     * @enum {string}
     */
    Severity: "general" | "major" | "urgent";
    Shown: {
      document: components["schemas"]["Document"];
      item: components["schemas"]["Item"];
    };
    /** @enum {string} */
    Status: "ok" | "rejected" | "need_changes";
    /** @description One campaign's line (排查完成情况). */
    SweepLine: {
      campaign: string;
      /** Format: int64 */
      deadline: number;
      kind: string;
      /**
       * Format: int32
       * @description Answered (either way) after the deadline.
       */
      late: number;
      /** Format: int32 */
      missing: number;
      name: string;
      /**
       * Format: int32
       * @description Answered "无新增矛盾纠纷".
       */
      nil: number;
      /**
       * Format: int32
       * @description Answered with cases found.
       */
      reported: number;
      /**
       * Format: int32
       * @description Villages of the jurisdiction on the campaign's roster.
       */
      villages: number;
    };
    /**
     * @description Counts for one unit. `reported + nil + missing == villages`; `late` counts answered
     * villages (of either kind) whose answer arrived after the deadline.
     */
    Tally: {
      code: string;
      /** Format: int32 */
      late: number;
      /** Format: int32 */
      missing: number;
      /** Format: int32 */
      nil: number;
      /** Format: int32 */
      reported: number;
      /** Format: int32 */
      villages: number;
    };
    TimelineEntry: {
      /** Format: int64 */
      at: number;
      by: string;
      id: string;
      kind: components["schemas"]["TimelineKind"];
      text: string;
    };
    /**
     * @description 跟踪记录类别.
     * @enum {string}
     */
    TimelineKind: "note" | "visit" | "mediation" | "status" | "chase";
    Token: {
      token: string;
    };
    Township: {
      code: string;
      name: string;
    };
    /**
     * @description One status change: who moved the case from what to what, and when. A reopen is a transition
     * out of `closed`.
     */
    Transition: {
      /** Format: int64 */
      at: number;
      by: string;
      from: components["schemas"]["CaseStatus"];
      note: string | null;
      outcome: null | components["schemas"]["Outcome"];
      to: components["schemas"]["CaseStatus"];
    };
    /** @description A unit's default as set, and in force (with the units above). */
    UnitAlertDefaults: {
      effective: components["schemas"]["InForce"];
      own: components["schemas"]["Prefs"];
      unit: string;
    };
    UnitFigures: components["schemas"]["UnitRef"] & components["schemas"]["Figures"];
    UnitRef: {
      code: string;
      kind: string;
      name: string;
    };
    Units: {
      units: components["schemas"]["UnitView"][];
    };
    /** @description An org unit. */
    UnitView: {
      code: string;
      kind: string;
      /**
       * Format: double
       * @description Where it is on the map (WGS-84 degrees), when the answer is about placing it.
       */
      latitude?: number | null;
      /** Format: double */
      longitude?: number | null;
      name: string;
      /** @description The parent's code; `null` for the root. */
      parent: string | null;
      path: string;
    };
    /**
     * @description A past state the strict schema refuses (a phone wrote a field with the wrong type and it
     * was fixed later): shown through the tolerant reading, so an auditor still sees what was
     * there. Its other keys are the document's own, whatever they held.
     */
    UnreadableCase: {
      doc: string;
      /** @description Why the strict schema refuses this state. */
      schema_error: string;
      [key: string]: unknown;
    };
    Unsubscribe: {
      endpoint: string;
    };
    /**
     * @description An upload refused: the error shape plus where the upload stands, so the client knows
     * where to resume (or that it must start again from 0).
     */
    UploadRefusal: {
      /** @description `wrong_offset`, `upload_mismatch`, `hash_mismatch`, `type_mismatch` or `upload_quota`. */
      code: string;
      /**
       * Format: int64
       * @description Bytes of unfinished uploads this device holds.
       */
      held?: number | null;
      message: string;
      mime?: string | null;
      /** Format: int64 */
      quota?: number | null;
      /** Format: int64 */
      received?: number | null;
      /** Format: int64 */
      size?: number | null;
    };
    UserRef: {
      id: string;
    };
    Users: {
      users: components["schemas"]["UserView"][];
    };
    /** @description One person as an administrator's list shows them. */
    UserView: {
      /** Format: int64 */
      created_at: number;
      /**
       * Format: int64
       * @description Devices not revoked.
       */
      devices: number;
      /** @description Has set a password (used an enrolment code). */
      enrolled: boolean;
      id: string;
      name: string;
      phone: string | null;
      role: string;
      unit_code: string;
      unit_name: string;
    };
    Village: {
      code: string;
      /**
       * Format: double
       * @description Where it is (WGS-84 degrees), when an administrator has said so: both or neither.
       */
      latitude?: number | null;
      /** Format: double */
      longitude?: number | null;
      name: string;
    };
    /** @enum {string} */
    VillageAnswer: "reported" | "nil" | "missing";
    VillageState: {
      answer: components["schemas"]["VillageAnswer"];
      code: string;
      late: boolean;
      township: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}

export type $defs = Record<string, never>;

export type external = Record<string, never>;

export interface operations {

  /** The cases the caller can see, as their projections. */
  list: {
    parameters: {
      query?: {
        /** @description 1–1000, default 100. */
        limit?: number;
        offset?: number;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["CaseView"][];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** One item, with the document as stored and as it would read with the item's changes. */
  show: {
    parameters: {
      path: {
        id: number;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Shown"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** The item as a file to keep: its details, its changes in base64, the document. */
  export: {
    parameters: {
      path: {
        id: number;
      };
    };
    responses: {
      /** @description A download (Content-Disposition: attachment) */
      200: {
        content: {
          "application/json": components["schemas"]["Export"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Judge the item's document again as its author is today; stored if it passes. */
  release: {
    parameters: {
      path: {
        id: number;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Released"];
        };
      };
      /** @description Already released */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * `PUT /blobs/{sha256}?offset=N`: the chunk that starts at byte N of this device's upload.
   * One chunk of a blob, at `offset`; the whole blob's size in `anlan-blob-size`.
   */
  upload: {
    parameters: {
      query: {
        /** @description Where this chunk starts in the blob */
        offset: number;
      };
      header: {
        /** @description The whole blob's size in bytes */
        "anlan-blob-size": number;
      };
      path: {
        /** @description The blob's SHA-256, lowercase hex */
        sha256: string;
      };
    };
    /** @description The chunk's bytes */
    requestBody: {
      content: {
        "application/pdf": components["schemas"]["Binary"];
        "image/jpeg": components["schemas"]["Binary"];
        "image/png": components["schemas"]["Binary"];
        "image/webp": components["schemas"]["Binary"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["BlobStatus"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `wrong_offset` or `upload_mismatch` */
      409: {
        content: {
          "application/json": components["schemas"]["UploadRefusal"];
        };
      };
      /** @description `upload_quota`, or too large */
      413: {
        content: {
          "application/json": components["schemas"]["UploadRefusal"];
        };
      };
      415: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `hash_mismatch` or `type_mismatch`: start again */
      422: {
        content: {
          "application/json": components["schemas"]["UploadRefusal"];
        };
      };
    };
  };
  /** The units of the caller's jurisdiction, in tree order. */
  units: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Units"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  add_unit: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["NewUnitRequest"];
      };
    };
    responses: {
      201: {
        content: {
          "application/json": components["schemas"]["UnitView"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  unit_defaults: {
    parameters: {
      path: {
        /** @description The unit's code */
        code: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["UnitAlertDefaults"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  set_unit_defaults: {
    parameters: {
      path: {
        /** @description The unit's code */
        code: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["Prefs"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["UnitAlertDefaults"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Place a unit of the caller's jurisdiction on the map (`null`s take it off). */
  set_location: {
    parameters: {
      path: {
        /** @description The unit's code */
        code: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["LocationRequest"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["UnitView"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * People in the caller's jurisdiction (or one unit of it), with whether they have enrolled and
   * how many working devices they have.
   */
  users: {
    parameters: {
      query?: {
        /** @description One unit's code (default: the whole jurisdiction). */
        unit?: string;
        /** @description 1–5000, default 1000. */
        limit?: number;
        offset?: number;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Users"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  add_user: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["NewUserRequest"];
      };
    };
    responses: {
      201: {
        content: {
          "application/json": components["schemas"]["AddedUser"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * An administrator (or a township leader, for the township's field staff: see
   * `admin::policy`) issues an enrolment code for someone in their jurisdiction. Someone outside
   * it answers exactly like someone who does not exist. The link comes also as a QR code (SVG)
   * of the absolute address, for printing.
   */
  issue_code: {
    parameters: {
      path: {
        /** @description The person's user id */
        id: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["IssuedCode"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * Same rules as every admin action: administrators only, and a person outside the
   * administrator's jurisdiction answers like one who does not exist. The new unit must be
   * inside it too: nobody hands people to a unit they do not run.
   */
  move_user: {
    parameters: {
      path: {
        /** @description The person's user id */
        id: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["MoveRequest"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Moved"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * `GET /blobs/{sha256}`: a complete blob, streamed chunk by chunk. Its name is its content, so
   * it never changes: cached for a year, revalidated by ETag if asked.
   * A complete blob's bytes, cacheable forever under its ETag.
   */
  read: {
    parameters: {
      path: {
        /** @description The blob's SHA-256, lowercase hex */
        sha256: string;
      };
    };
    responses: {
      /** @description The bytes, as the type they were uploaded as */
      200: {
        content: {
          "application/pdf": components["schemas"]["Binary"];
          "image/jpeg": components["schemas"]["Binary"];
          "image/png": components["schemas"]["Binary"];
          "image/webp": components["schemas"]["Binary"];
        };
      };
      /** @description Not modified */
      304: {
        content: never;
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * `GET /blobs/{sha256}/upload`: how many bytes the server holds from this device, i.e. where
   * to resume (or that the blob is complete, whoever finished it).
   * Where an upload stands, to resume it.
   */
  status: {
    parameters: {
      path: {
        /** @description The blob's SHA-256, lowercase hex */
        sha256: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["BlobStatus"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Launch a concentrated or special campaign over townships of the caller's jurisdiction. */
  create: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["CreateCampaign"];
      };
    };
    responses: {
      201: {
        content: {
          "application/json": components["schemas"]["Created"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  one_completeness: {
    parameters: {
      path: {
        id: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["CompletenessAnswer"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * Remind the officers of the villages of the caller's part of the roster that have not
   * answered. Shares the clock's once-a-day claim, so a second press the same day sends nothing.
   */
  remind: {
    parameters: {
      path: {
        id: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Remind"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** The reminders sent for the caller's part of the roster. */
  reminders: {
    parameters: {
      path: {
        id: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Reminders"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** One case's projection. */
  one: {
    parameters: {
      path: {
        /** @description The case's document id */
        doc: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["CaseView"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** The alerts sent about a case, for leaders. */
  alert_log: {
    parameters: {
      path: {
        /** @description The case's document id */
        doc: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Delivery"][];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * The case as the server held it at `at`: every change the server had committed by then
   * (server clock), whatever the phones' clocks claimed.
   */
  as_of: {
    parameters: {
      query?: {
        /** @description Milliseconds since the epoch, or an RFC 3339 time. */
        at?: string;
      };
      path: {
        /** @description The case's document id */
        doc: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["AsOf"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description No such case, or it did not exist yet */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Who changed what in a case, as JSON or a CSV download. */
  history: {
    parameters: {
      query?: {
        /** @description `json` (the default) or `csv`. */
        format?: string;
      };
      path: {
        /** @description The case's document id */
        doc: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["History"];
          "text/csv": string;
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** The caller's devices. */
  devices: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Devices"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * Retire one of my devices (a phone handed back): it may upload once more, then it is revoked.
   * Until then it reads nothing (see [`crate::auth::LastUpload`]), so its live stream ends now.
   */
  retire: {
    parameters: {
      path: {
        id: number;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Retiring"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Sign out one of my devices (a lost phone): its next contact gets 401 `device_revoked`. */
  revoke: {
    parameters: {
      path: {
        id: number;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Revoked"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * Name this device as its owner knows it ("我的华为"): the name others see in the device list
   * and the audit trail. Blank, over-long or control characters are refused, nothing changed.
   */
  rename: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["RenameRequest"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Renamed"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Phone + one-time code + a new password → a registered device. */
  enrol: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["EnrolRequest"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["NewDevice"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `bad_credentials` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `too_many_attempts`, with Retry-After */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Server-sent events: `feed` (`{"cursor": n}`) whenever the feed advances, so the phone syncs. */
  live: {
    responses: {
      /** @description An endless event stream */
      200: {
        content: {
          "text/event-stream": string;
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `too_many_streams` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Phone + password → another device for someone already enrolled. */
  login: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["LoginRequest"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["NewDevice"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `bad_credentials` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `too_many_attempts`, with Retry-After */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  mine: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["MyAlertChannels"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  set_mine: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["Prefs"];
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["MyAlertChannels"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** This description (no sign-in needed). */
  openapi_json: {
    responses: {
      /** @description OpenAPI 3.1 */
      200: {
        content: {
          "application/json": Record<string, never>;
        };
      };
    };
  };
  /**
   * Everyone in the caller's township (for people in a village: the township around it, whose
   * leaders and staff handle its cases), or in the caller's own unit when it is larger.
   */
  people: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["People"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Petition items by next statutory deadline, nearest (or most overdue) first. */
  petitions: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["PetitionItem"][];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** A leader confirms a date the server corrected for a wrong clock (PROTOCOL.md §11). */
  confirm_date: {
    parameters: {
      path: {
        /** @description The petition's document id */
        doc: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ConfirmDate"];
      };
    };
    responses: {
      /** @description Confirmed */
      204: {
        content: never;
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** The VAPID public key, for `pushManager.subscribe({applicationServerKey})`. */
  key: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["PushKey"];
        };
      };
    };
  };
  /**
   * `PushSubscription.toJSON()`; sent again on every app start, replacing the stored copy.
   * The endpoint must be https on a public address unless the operator allows otherwise.
   */
  subscribe: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["PushSubscription"];
      };
    };
    responses: {
      /** @description Stored */
      204: {
        content: never;
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description The endpoint belongs to another device */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  unsubscribe: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["Unsubscribe"];
      };
    };
    responses: {
      /** @description Forgotten */
      204: {
        content: never;
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Who this device is signed in as. */
  session: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Session"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Statistics for a unit and period, for the township level and above. */
  report: {
    parameters: {
      query?: {
        /** @description The period's first day, `YYYY-MM-DD` (Beijing). */
        from?: string;
        /** @description The period's last day, `YYYY-MM-DD` (Beijing). */
        to?: string;
        /** @description A unit of the caller's jurisdiction (default: their own). */
        unit?: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Report"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Every case behind the statistics as CSV, streamed. */
  export_csv: {
    parameters: {
      query?: {
        /** @description The period's first day, `YYYY-MM-DD` (Beijing). */
        from?: string;
        /** @description The period's last day, `YYYY-MM-DD` (Beijing). */
        to?: string;
        /** @description A unit of the caller's jurisdiction (default: their own). */
        unit?: string;
      };
    };
    responses: {
      200: {
        content: {
          "text/csv": string;
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** The statistics and every case behind them as a workbook. */
  export_xlsx: {
    parameters: {
      query?: {
        /** @description The period's first day, `YYYY-MM-DD` (Beijing). */
        from?: string;
        /** @description The period's last day, `YYYY-MM-DD` (Beijing). */
        to?: string;
        /** @description A unit of the caller's jurisdiction (default: their own). */
        unit?: string;
      };
    };
    responses: {
      200: {
        content: {
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["Binary"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      403: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      404: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * One sync round: push changes, pull the feed (PROTOCOL.md). The bodies are CBOR
   * (`sync_protocol::wire::SyncRequest` and `SyncResponse`), not JSON.
   */
  sync: {
    /** @description `SyncRequest`, CBOR */
    requestBody: {
      content: {
        "application/cbor": components["schemas"]["Binary"];
      };
    };
    responses: {
      /** @description `SyncResponse`, CBOR */
      200: {
        content: {
          "application/cbor": components["schemas"]["Binary"];
        };
      };
      400: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      413: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      415: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
      /** @description `storage_full` or busy, with Retry-After */
      503: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** A fresh token for this device; the one that made the request stops working. */
  rotate: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Token"];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /**
   * The villages the caller may record for, with where they are when known (the leaders'
   * offline map draws from it).
   */
  villages: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Village"][];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
  /** Downward visits, newest first. */
  visits: {
    responses: {
      200: {
        content: {
          "application/json": components["schemas"]["Record"][];
        };
      };
      401: {
        content: {
          "application/json": components["schemas"]["ErrorBody"];
        };
      };
    };
  };
}
