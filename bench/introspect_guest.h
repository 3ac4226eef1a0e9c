/*
 * introspect_guest.h -- bench/introspect's parts that run on a real guest
 * (a generated memory image, or the test bed's live domain), shared by
 * bench/introspect and bench/live: the process list (introspect_ps.c)
 * and translation speed (introspect_v2p.c).
 */
#ifndef PORTHOLE_BENCH_INTROSPECT_GUEST_H
#define	PORTHOLE_BENCH_INTROSPECT_GUEST_H

/*
 * Time a Linux process list on the guest spec names (NULL: skipped, said)
 * opened with guest_open flags, and print the ratios.
 */
void	bench_ps(const char *spec, unsigned flags);

/*
 * Time translations of pages the guest's kernel maps, cached and not,
 * and print RATIO ratio (uncached / hit).
 */
void	bench_v2p(const char *spec, unsigned flags, const char *ratio);

#endif /* PORTHOLE_BENCH_INTROSPECT_GUEST_H */
