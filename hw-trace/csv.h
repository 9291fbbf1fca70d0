/* The CSV reader moved to models/base/csv.h (the comparison of results reads CSVs too); kept for includers. */
#include "models/base/csv.h"
