#![no_main]
// The target is oscar_visor::fuzzing::table_target; it checks its own invariants.
oscar_visor_fuzz::target!(table_target);
