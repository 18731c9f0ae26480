// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-replay: run captured logblk traces through the device's core logic
 * and print the write amplification of each policy. See logblk-replay(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "lb_replay.h"

struct pol {
	char name[24];
	enum lbr_place how;
	unsigned int place, victim;	/* LBR_POLICY; the default of the others */
	bool fit;			/* the in-sample fit (lbr_best_fit()) */
};

static const char *model_path, *models_dir;
static struct lbp_model model;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logblk-replay [options] TRACE...\n"
		"  -p, --policy LIST  comma-separated policies: p1 p2 p3x p4, PLACE/VICTIM\n"
		"                     (mixed gcsep hotcold sepbit / greedy cb), \"trace\" (as\n"
		"                     captured, following its policy switches and its\n"
		"                     placement decisions), \"all\" (p1,p2,p3x,p4), \"model\"\n"
		"                     (every write placed by --model, the default policy\n"
		"                     the trace's), \"oracle\" (by the true next death: the\n"
		"                     best of a grid of classes), \"fit\" (the learner's trees\n"
		"                     fitted on the trace's own true lifetimes, under the\n"
		"                     trace's policy: what the features can tell at best);\n"
		"                     default: trace,all\n"
		"  -m, --model FILE   a placement model (logblk/placement proxy's format)\n"
		"  -M, --models DIR   the models of the trace's MODEL records, DIR/VERSION.mlm\n"
		"  -V, --verify       with \"trace\": fail unless every ML class in the trace\n"
		"                     is the class its model gives (needs -m or -M)\n"
		"  -t, --series B     print \"series POLICY BLOCKS WAF\" lines: the write\n"
		"                     amplification of every B user blocks written\n"
		"  -o, --op PCT       over-provisioning: size the device for PCT%% spare space\n"
		"                     (default: the capturing device's segments)\n"
		"  -s, --seg-blocks N blocks per segment (default: the trace's)\n"
		"  -n, --no-bg-gc     ignore background-GC records\n"
		"  -c, --check        verify every invariant of the device at the end\n"
		"  -k, --kv           print key=value lines instead of a table\n");
}

static int add_pol(struct pol *p, int *n, const char *w, size_t len)
{
	unsigned int place, victim;
	const char *slash = memchr(w, '/', len);

	if (*n >= 64)
		return -E2BIG;
	memset(&p[*n], 0, sizeof(p[*n]));
	p[*n].how = LBR_POLICY;
	if (len == 5 && !memcmp(w, "trace", 5)) {
		p[*n].how = LBR_AS_TRACED;
		strcpy(p[*n].name, "trace");
	} else if (len == 5 && !memcmp(w, "model", 5)) {
		p[*n].how = LBR_MODEL;
		strcpy(p[*n].name, "model");
	} else if (len == 6 && !memcmp(w, "oracle", 6)) {
		p[*n].how = LBR_ORACLE;
		strcpy(p[*n].name, "oracle");
	} else if (len == 3 && !memcmp(w, "fit", 3)) {
		p[*n].how = LBR_MODEL;
		p[*n].fit = true;
		strcpy(p[*n].name, "fit");
	} else if (slash) {
		int pl = lb_parse_place(w, slash - w);
		int vi = lb_parse_victim(slash + 1, len - (slash + 1 - w));

		if (pl < 0 || vi < 0)
			return -EINVAL;
		p[*n].place = pl;
		p[*n].victim = vi;
		snprintf(p[*n].name, sizeof(p[*n].name), "%s/%s",
			 lb_place_name(pl), lb_victim_name(vi));
	} else if (!lb_parse_policy(w, len, &place, &victim)) {
		p[*n].place = place;
		p[*n].victim = victim;
		snprintf(p[*n].name, sizeof(p[*n].name), "%.*s", (int)len, w);
	} else {
		return -EINVAL;
	}
	(*n)++;
	return 0;
}

static int parse_pols(const char *s, struct pol *p, int *n)
{
	*n = 0;
	while (*s) {
		size_t len = strcspn(s, ",");

		if (len == 3 && !memcmp(s, "all", 3)) {
			static const char *const all[] = { "p1", "p2", "p3x", "p4" };

			for (int i = 0; i < 4; i++)
				if (add_pol(p, n, all[i], strlen(all[i])))
					return -E2BIG;
		} else if (add_pol(p, n, s, len)) {
			fprintf(stderr, "logblk-replay: unknown policy '%.*s'\n", (int)len, s);
			return -EINVAL;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return *n ? 0 : -EINVAL;
}

static void waf_str(char *buf, size_t len, uint64_t user, uint64_t gc)
{
	uint64_t w = lb_waf_milli(user, gc);

	if (!user)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%llu.%03llu", (unsigned long long)(w / 1000),
			 (unsigned long long)(w % 1000));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "op", required_argument, NULL, 'o' },
		{ "seg-blocks", required_argument, NULL, 's' },
		{ "no-bg-gc", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'c' },
		{ "kv", no_argument, NULL, 'k' },
		{ "model", required_argument, NULL, 'm' },
		{ "models", required_argument, NULL, 'M' },
		{ "verify", no_argument, NULL, 'V' },
		{ "series", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pol pols[64];
	int npol = 0, c, rc = 0;
	long op = -1, seg_blocks = 0;
	bool no_bg = false, check = false, kv = false, verify = false;
	long series = 0;
	char *end;

	parse_pols("trace,all", pols, &npol);
	while ((c = getopt_long(argc, argv, "p:o:s:nckm:M:Vt:h", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_pols(optarg, pols, &npol))
				return 2;
			break;
		case 'o':
			op = strtol(optarg, &end, 10);
			if (*end || op < 0 || op > 1000) {
				fprintf(stderr, "logblk-replay: --op wants 0..1000 (percent)\n");
				return 2;
			}
			break;
		case 's':
			seg_blocks = strtol(optarg, &end, 10);
			if (*end || seg_blocks < LB_MIN_SEG_BLOCKS ||
			    seg_blocks > LB_MAX_SEG_BLOCKS) {
				fprintf(stderr, "logblk-replay: --seg-blocks wants %d..%d\n",
					LB_MIN_SEG_BLOCKS, LB_MAX_SEG_BLOCKS);
				return 2;
			}
			break;
		case 'n':
			no_bg = true;
			break;
		case 'c':
			check = true;
			break;
		case 'k':
			kv = true;
			break;
		case 'm':
			model_path = optarg;
			break;
		case 'M':
			models_dir = optarg;
			break;
		case 'V':
			verify = true;
			break;
		case 't':
			series = strtol(optarg, &end, 10);
			if (*end || series < 1) {
				fprintf(stderr, "logblk-replay: --series wants a positive number of blocks\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (int i = 0; i < npol; i++) {
		if (pols[i].how == LBR_MODEL && !pols[i].fit && !model_path) {
			fprintf(stderr, "logblk-replay: policy \"model\" needs --model\n");
			return 2;
		}
		if (pols[i].fit && series) {
			fprintf(stderr, "logblk-replay: --series does not apply to \"fit\" (a grid of runs)\n");
			return 2;
		}
	}
	if (verify && !model_path && !models_dir) {
		fprintf(stderr, "logblk-replay: --verify needs --model or --models\n");
		return 2;
	}
	if (model_path && lbp_model_read(&model, model_path))
		return 2;
	if (!kv)
		printf("%-28s %-16s %12s %12s %8s %8s\n", "trace", "policy",
		       "user_blocks", "gc_blocks", "WAF", "WAF_win");
	for (int a = optind; a < argc; a++) {
		struct lbr_trace t;
		const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];

		if (lbr_load(argv[a], &t)) {
			rc = 1;
			continue;
		}
		for (int i = 0; i < npol; i++) {
			struct lbr_opts o;
			struct lbr_result r;
			struct lbr_fit fit;
			uint64_t wu, wg;
			char waf[32], wwin[32];

			lbr_opts_from_trace(&t, &o);
			if (seg_blocks)
				o.g.seg_blocks = seg_blocks;
			if (op >= 0)
				o.g.nr_segs = lb_nr_segs_for_op(o.g.nr_lblocks, o.g.seg_blocks, op);
			if (!o.g.nr_segs) {
				fprintf(stderr, "%s: the trace names no device size; give --op\n",
					argv[a]);
				rc = 1;
				break;
			}
			o.how = pols[i].how;
			if (o.how == LBR_POLICY) {
				o.place = pols[i].place;
				o.victim = pols[i].victim;
				o.follow_policy = false;
			}
			o.bg_gc = !no_bg;
			o.check = check;
			o.model = model_path ? &model : NULL;
			o.models.dir = models_dir;
			o.models.one = models_dir ? NULL : o.model;
			if (series) {
				/* The points go to a temporary file: only the best oracle's are printed. */
				o.series = (uint64_t)series;
				o.series_out = tmpfile();
				if (!o.series_out) {
					rc = 1;
					continue;
				}
			}
			if (pols[i].fit ? lbr_best_fit(&t, &o, &r, &fit, &o.victim) :
			    o.how == LBR_ORACLE ? lbr_best_oracle(&t, &o, &r, &o.oracle, &o.victim) :
			    lbr_run(&t, &o, &r)) {
				rc = 1;
				continue;
			}
			if (o.how == LBR_AS_TRACED && verify &&
			    (r.ml_mismatch || r.ml_checked != r.ml_blocks || r.models_missing)) {
				fprintf(stderr, "%s: %llu of %llu ML classes differ from the model's, "
					"%llu not checked, %llu models missing\n", argv[a],
					(unsigned long long)r.ml_mismatch,
					(unsigned long long)r.ml_checked,
					(unsigned long long)(r.ml_blocks - r.ml_checked),
					(unsigned long long)r.models_missing);
				rc = 1;
			}
			if (o.series_out) {
				char line[64];

				rewind(o.series_out);
				/* The oracle's grid wrote every run's points: keep the last run's. */
				if (o.how == LBR_ORACLE) {
					fclose(o.series_out);
					o.series_out = tmpfile();
					if (o.series_out && !lbr_run(&t, &o, &r))
						rewind(o.series_out);
				}
				while (o.series_out && fgets(line, sizeof(line), o.series_out))
					printf("series %s %s", pols[i].name, line);
				if (o.series_out)
					fclose(o.series_out);
				o.series_out = NULL;
			}
			wu = r.total.user_writes - r.at_mark.user_writes;
			wg = r.total.gc_writes - r.at_mark.gc_writes;
			waf_str(waf, sizeof(waf), r.total.user_writes, r.total.gc_writes);
			waf_str(wwin, sizeof(wwin), wu, wg);
			if (kv) {
				printf("trace=%s policy=%s nr_segs=%u user=%llu gc=%llu waf=%s win_user=%llu win_gc=%llu win_waf=%s gc_fg=%llu gc_bg=%llu nospc=%llu mapped=%u free_segs=%u ml_blocks=%llu ml_checked=%llu ml_mismatch=%llu gc_advised=%llu",
				       base, pols[i].name, o.g.nr_segs,
				       (unsigned long long)r.total.user_writes,
				       (unsigned long long)r.total.gc_writes, waf,
				       (unsigned long long)wu, (unsigned long long)wg, wwin,
				       (unsigned long long)r.total.gc_fg,
				       (unsigned long long)r.total.gc_bg,
				       (unsigned long long)r.nospc_reqs, r.mapped, r.free_segs,
				       (unsigned long long)r.ml_blocks,
				       (unsigned long long)r.ml_checked,
				       (unsigned long long)r.ml_mismatch,
				       (unsigned long long)r.gc_advised);
				if (o.how == LBR_ORACLE)
					printf(" oracle=%g/%g/%u/%s", o.oracle.base / o.g.nr_lblocks,
					       o.oracle.ratio, o.oracle.classes,
					       lb_victim_name(o.victim));
				if (pols[i].fit)
					printf(" fit=%g/%g/%s/%s leaves=%u rows=%zu/%zu",
					       fit.base / o.g.nr_lblocks, fit.ratio,
					       fit.log ? "log" : "nolog", lb_victim_name(o.victim),
					       fit.leaves, fit.rows[0], fit.rows[1]);
				printf("\n");
			} else {
				printf("%-28s %-16s %12llu %12llu %8s %8s\n", base, pols[i].name,
				       (unsigned long long)r.total.user_writes,
				       (unsigned long long)r.total.gc_writes, waf, wwin);
			}
		}
		lbr_free(&t);
	}
	if (model_path)
		lbp_model_free(&model);
	return rc;
}
