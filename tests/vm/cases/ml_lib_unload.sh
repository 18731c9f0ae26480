#!/bin/sh
# Module unload with an agent attached and samples being published (ml_lib_unload_test).
exec ml_lib_unload_test
