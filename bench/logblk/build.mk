# logblk benchmark (bench/logblk/run.sh, run by `make bench`): write
# amplification per policy and workload, in the guest. The application
# workloads are static guest programs; the file systems' tools come from
# the host.
GUEST_PROGS += $(B)/guest/lb-dbload $(B)/guest/lb-kvload $(B)/guest/lb-churn bench/logblk/lb-bench.sh
GUEST_HOST_BINS += /usr/sbin/mkfs.ext4 /usr/sbin/e2fsck /usr/sbin/mkfs.f2fs /usr/sbin/fsck.f2fs
BENCHES += bench/logblk/run.sh

$(B)/guest/lb-dbload: bench/logblk/lb_dbload.c core/ml_rand.h bench/logblk/lb_args.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $< -lsqlite3 -lm -lpthread -ldl

# RocksDB's static library and the compression libraries it links,
# all from librocksdb-dev's dependencies.
$(B)/guest/lb-kvload: bench/logblk/lb_kvload.c core/ml_rand.h bench/logblk/lb_args.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $< -Wl,--wrap=fcntl -lrocksdb -lsnappy -llz4 -lzstd -lbz2 -lz \
		-lstdc++ -lm -lpthread -ldl

$(B)/guest/lb-churn: bench/logblk/lb_churn.c core/ml_rand.h bench/logblk/lb_args.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $<

# The learner's tree fit against the fit it replaced (bench/logblk/tree.sh).
$(B)/bench/logblk/tree_bench: bench/logblk/tree_bench.c user/logblk/lb_tree.c \
		user/models/model_build.c core/ml_model.c user/logblk/lb_tree.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LB_USER_INC) -o $@ bench/logblk/tree_bench.c user/logblk/lb_tree.c \
		user/models/model_build.c core/ml_model.c -lm

BENCH_DEPS += $(B)/bench/logblk/tree_bench
BENCHES += bench/logblk/tree.sh

# The application workloads' command lines, on the host.
HOST_TESTS += $(B)/unit/lb_workload_args
$(B)/unit/lb_workload_args: tests/unit/lb_workload_args.sh $(B)/guest/lb-dbload $(B)/guest/lb-kvload \
		$(B)/guest/lb-churn
	$(script_test_wrapper)
