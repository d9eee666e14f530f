#ifndef STORE_SCHEMA_H
#define STORE_SCHEMA_H

#include <stddef.h>

/* The schema's migrations in order; store_migrations[N - 1] makes user_version N. */
extern const char *const store_migrations[];
extern const size_t store_n_migrations;

#endif
