// SPDX-License-Identifier: GPL-2.0
/*
 * Per-arm cost statistics in integer arithmetic; see ml_stats.h.
 *
 * 128-bit quantities are kept as two u64 words and divided by shift and
 * subtract: the kernel has no 128-bit division helper (__udivti3), and the
 * summaries are computed once per window, never on the hot path.
 */
#include "ml_stats.h"

struct u128 {
	u64 lo;
	u64 hi;
};

static struct u128 u128_add(struct u128 a, struct u128 b)
{
	struct u128 r = { a.lo + b.lo, a.hi + b.hi };

	r.hi += r.lo < a.lo;
	return r;
}

static struct u128 u128_sub(struct u128 a, struct u128 b)
{
	struct u128 r = { a.lo - b.lo, a.hi - b.hi };

	r.hi -= a.lo < b.lo;
	return r;
}

static bool u128_lt(struct u128 a, struct u128 b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* The full 128-bit product of two u64. */
static struct u128 u64_mul(u64 a, u64 b)
{
	u64 a0 = (u32)a, a1 = a >> 32, b0 = (u32)b, b1 = b >> 32;
	u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	u64 mid = (p00 >> 32) + (u32)p01 + (u32)p10;
	struct u128 r;

	r.lo = (mid << 32) | (u32)p00;
	r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
	return r;
}

/* The low 128 bits of a 128 x 64 product. */
static struct u128 u128_mul_u64(struct u128 a, u64 b)
{
	struct u128 r = u64_mul(a.lo, b);

	r.hi += a.hi * b;
	return r;
}

/* a / d for d != 0, by restoring division over the 128 bits of a. */
static struct u128 u128_divrem_u64(struct u128 a, u64 d, u64 *rem)
{
	struct u128 q = { 0, 0 }, r = { 0, 0 }, dd = { d, 0 };
	int i;

	for (i = 127; i >= 0; i--) {
		u64 bit = i >= 64 ? (a.hi >> (i - 64)) & 1 : (a.lo >> i) & 1;

		r.hi = (r.hi << 1) | (r.lo >> 63);
		r.lo = (r.lo << 1) | bit;
		if (!u128_lt(r, dd)) {
			r = u128_sub(r, dd);
			if (i >= 64)
				q.hi |= 1ULL << (i - 64);
			else
				q.lo |= 1ULL << i;
		}
	}
	if (rem)
		*rem = r.lo;
	return q;
}

static struct u128 u128_div_u64(struct u128 a, u64 d)
{
	return u128_divrem_u64(a, d, NULL);
}

static u64 u128_saturate(struct u128 a)
{
	return a.hi ? U64_MAX : a.lo;
}

s64 ml_stats_clamp_cost(s64 cost)
{
	if (cost > ML_STATS_COST_MAX)
		return ML_STATS_COST_MAX;
	if (cost < -ML_STATS_COST_MAX)
		return -ML_STATS_COST_MAX;
	return cost;
}

void ml_stats_add(struct ml_stats_acc *acc, s64 cost)
{
	s64 c = ml_stats_clamp_cost(cost);
	u64 mag = c < 0 ? (u64)-c : (u64)c;
	struct u128 sq = { acc->sq_lo, acc->sq_hi };

	sq = u128_add(sq, u64_mul(mag, mag));
	acc->n++;
	acc->sum += (u64)c;
	acc->sq_lo = sq.lo;
	acc->sq_hi = sq.hi;
}

void ml_stats_merge(struct ml_stats_acc *dst, const struct ml_stats_acc *src)
{
	struct u128 a = { dst->sq_lo, dst->sq_hi }, b = { src->sq_lo, src->sq_hi };

	a = u128_add(a, b);
	dst->n += src->n;
	dst->sum += src->sum;
	dst->sq_lo = a.lo;
	dst->sq_hi = a.hi;
}

void ml_stats_window(struct ml_stats_acc *win, const struct ml_stats_acc *now,
		     const struct ml_stats_acc *then)
{
	struct u128 a = { now->sq_lo, now->sq_hi }, b = { then->sq_lo, then->sq_hi };

	a = u128_sub(a, b);
	win->n = now->n - then->n;
	win->sum = now->sum - then->sum;
	win->sq_lo = a.lo;
	win->sq_hi = a.hi;
}

void ml_stats_summarize(const struct ml_stats_acc *acc,
			struct ml_stats_summary *s)
{
	s64 sum = (s64)acc->sum;
	u64 mag = sum < 0 ? -(u64)sum : (u64)sum;
	struct u128 m, sq = { acc->sq_lo, acc->sq_hi }, nsq, sum2, num;
	u64 rem;

	s->n = acc->n;
	s->mean_milli = 0;
	s->var_milli2 = 0;
	if (!acc->n)
		return;

	/* |sum| < 2^63 and n >= 1, so |mean x 1000| < 2^73 / n: saturate. */
	m = u128_div_u64(u64_mul(mag, 1000), acc->n);
	if (m.hi || m.lo > (u64)S64_MAX)
		m.lo = (u64)S64_MAX;
	s->mean_milli = sum < 0 ? -(s64)m.lo : (s64)m.lo;

	/*
	 * var = (n * sumsq - sum^2) / n^2. With n < 2^32 and |cost| < 2^31 both
	 * products stay below 2^126. A torn snapshot (n and the sums read at
	 * slightly different times) can make the difference negative: that
	 * is a zero variance.
	 */
	nsq = u128_mul_u64(sq, acc->n);
	sum2 = u64_mul(mag, mag);
	if (u128_lt(nsq, sum2))
		return;
	/*
	 * var x 10^6 = num x 10^6 / n^2 with num = q n + r (r < n), taken as
	 * (q x 10^6 + r x 10^6 / n) / n so that no precision is lost to the
	 * first division: num <= n x 2^62 < 2^94, so q x 10^6 < 2^114, and
	 * r x 10^6 < 2^52.
	 */
	num = u128_divrem_u64(u128_sub(nsq, sum2), acc->n, &rem);
	if (num.hi >> 44) {
		s->var_milli2 = U64_MAX;
		return;
	}
	num = u128_mul_u64(num, 1000000);
	num = u128_add(num, (struct u128){ rem * 1000000 / acc->n, 0 });
	s->var_milli2 = u128_saturate(u128_div_u64(num, acc->n));
}

/*
 * ML mean cost x 10000 / default mean cost, in [0, S32_MAX]: below 10000 the
 * model costs less than the default algorithm. An ML mean <= 0 against a
 * positive default mean is as good as it gets: 0.
 */
s32 ml_stats_efficiency_bp(const struct ml_stats_summary *ml,
			   const struct ml_stats_summary *def)
{
	/* Costs are clamped, so no true mean is beyond this; x 10000 stays below 2^55. */
	const s64 lim = ML_STATS_COST_MAX * 1000;
	s64 m, d, q;

	if (!ml->n || !def->n || def->mean_milli <= 0)
		return ML_STATS_EFFICIENCY_UNKNOWN;
	if (ml->mean_milli <= 0)
		return 0;
	m = ml->mean_milli < lim ? ml->mean_milli : lim;
	d = def->mean_milli < lim ? def->mean_milli : lim;
	q = m * 10000 / d;
	return q > S32_MAX ? S32_MAX : (s32)q;
}

u64 ml_isqrt64(u64 x)
{
	u64 r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

u64 ml_stats_stddev_milli(const struct ml_stats_summary *s)
{
	return ml_isqrt64(s->var_milli2);
}
