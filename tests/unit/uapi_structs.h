/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every struct of the ml_lib UAPI (include/uapi/linux/ml_lib*.h), for the
 * layout test: X(name) per struct. A struct added to the UAPI belongs here.
 */
#define UAPI_STRUCTS(X) \
	X(ml_lib_version) X(ml_lib_proxy_info) X(ml_lib_list) X(ml_lib_feature_desc) \
	X(ml_lib_action_desc) X(ml_lib_schema) X(ml_lib_arm_stats) X(ml_lib_status) \
	X(ml_lib_attach) X(ml_lib_ring_info) X(ml_lib_ring_ctl) X(ml_lib_sample) \
	X(ml_lib_fb_outcome) X(ml_lib_fb_mode) X(ml_lib_fb_efficiency) \
	X(ml_lib_fb_verdict) X(ml_lib_feedback) X(ml_lib_table) X(ml_lib_table_entry) \
	X(ml_lib_push) X(ml_lib_ctl) X(ml_lib_set_mode) X(ml_lib_model) \
	X(ml_lib_model_forest) X(ml_lib_model_node) X(ml_lib_model_linear) \
	X(ml_lib_model_mlp) X(ml_lib_model_layer)

/* Sizes of the structs, in UAPI_STRUCTS order, as a 32-bit x86 process lays them out. */
extern const unsigned long uapi_sizes_i386[];
extern const unsigned int uapi_nr_structs_i386;
/* struct { __u32 a; __u64 b; } in the same translation unit */
extern const unsigned long uapi_probe_size_i386;
