/*
 * One CUnit program per tests/unit/test_*.c.  Each file ends with
 *     VGS_CUNIT_MAIN({ .pName = "suite", .pTests = tests_of_suite }, ...)
 * registering its suites with designated initializers; the program exits non-zero on any failure.
 */
#ifndef VGS_CUNIT_MAIN_H
#define VGS_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <stdlib.h>

#define VGS_CUNIT_MAIN(...)                                                                       \
	int main(void)                                                                            \
	{                                                                                         \
		CU_SuiteInfo suites[] = { __VA_ARGS__, CU_SUITE_INFO_NULL };                      \
		if (CU_initialize_registry() != CUE_SUCCESS)                                      \
			return 2;                                                                 \
		if (CU_register_suites(suites) != CUE_SUCCESS)                                    \
			return 2;                                                                 \
		CU_basic_set_mode(CU_BRM_VERBOSE);                                                \
		CU_basic_run_tests();                                                             \
		unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_failures(); \
		unsigned run = CU_get_number_of_tests_run();                                      \
		CU_cleanup_registry();                                                            \
		return (failed || run == 0) ? 1 : 0;                                              \
	}

#endif
