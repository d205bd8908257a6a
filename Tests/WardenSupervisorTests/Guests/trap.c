// Fails at once: a trap (exit 134 as warden run reports it).
int main(void) { __builtin_trap(); }
