//! Web Push delivery (VAPID keys, message building, sending).
