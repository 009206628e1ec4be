//! More, Garbow & Hillstrom (1981) test problems (being written).
