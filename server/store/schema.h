/*
 * schema.h — the SQL migrations compiled into the binary.
 *
 * The table is generated at build time from schema/NNN_name.sql by
 * schema/embed.sh; entries are in ascending version order, starting at 1
 * with no gaps. The store applies the ones newer than the database.
 */
#ifndef CONCLAVE_SCHEMA_H
#define CONCLAVE_SCHEMA_H

struct schema_migration {
    int version;          /* NNN of the file name */
    const char *name;     /* file name without ".sql" */
    const char *sql;      /* the whole file */
};

extern const struct schema_migration schema_migrations[];
extern const int schema_migration_count;

#endif
