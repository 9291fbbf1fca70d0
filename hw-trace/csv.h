/* The CSV reader moved to models/csv.h (the comparison of results reads CSVs too); kept for includers. */
#include "models/csv.h"
