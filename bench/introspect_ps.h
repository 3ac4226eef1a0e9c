/*
 * introspect_ps.h -- bench/introspect's process-list part (see
 * introspect_ps.c), shared by bench/introspect and bench/live.
 */
#ifndef PORTHOLE_BENCH_INTROSPECT_PS_H
#define	PORTHOLE_BENCH_INTROSPECT_PS_H

/*
 * Time a Linux process list on the guest spec names (NULL: skipped, said)
 * opened with guest_open flags, and print the ratios.
 */
void	bench_ps(const char *spec, unsigned flags);

#endif /* PORTHOLE_BENCH_INTROSPECT_PS_H */
