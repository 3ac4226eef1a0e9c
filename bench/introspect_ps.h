/*
 * introspect_ps.h -- bench/introspect's process-list part (see
 * introspect_ps.c).
 */
#ifndef PORTHOLE_BENCH_INTROSPECT_PS_H
#define	PORTHOLE_BENCH_INTROSPECT_PS_H

/* Time a Linux process list on $PORTHOLE_BENCH_IMAGE and print ratios. */
void	bench_ps(void);

#endif /* PORTHOLE_BENCH_INTROSPECT_PS_H */
