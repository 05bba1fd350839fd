pub mod push_service;
