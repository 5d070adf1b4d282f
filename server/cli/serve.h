/*
 * serve.h — `conclave serve`: the server process from start-up to exit.
 */
#ifndef CONCLAVE_SERVE_H
#define CONCLAVE_SERVE_H

/* Runs the server in the foreground until SIGINT/SIGTERM; returns the exit
 * status (0 after a clean stop, 1 on a start-up failure, 2 on usage). */
int serve_main(int argc, char **argv);

#endif
