#![no_main]
// The target is oscar_visor::fuzzing::config; it checks its own invariants.
oscar_visor_fuzz::target!(config);
