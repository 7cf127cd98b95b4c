/* nagios_capture.h: what a --nagios renderer writes on stdout, for unit tests. */
#ifndef PP_NAGIOS_CAPTURE_H
#define PP_NAGIOS_CAPTURE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Run expr with stdout sent to a temporary file; its text into out. */
#define CAPTURE(out, expr)                                                          \
	do {                                                                        \
		FILE *tmp_ = tmpfile();                                             \
		int save_ = dup(STDOUT_FILENO);                                     \
		size_t n_;                                                          \
		fflush(stdout);                                                     \
		dup2(fileno(tmp_), STDOUT_FILENO);                                  \
		expr;                                                               \
		fflush(stdout);                                                     \
		dup2(save_, STDOUT_FILENO);                                         \
		close(save_);                                                       \
		rewind(tmp_);                                                       \
		n_ = fread((out), 1, sizeof(out) - 1, tmp_);                        \
		(out)[n_] = '\0';                                                   \
		fclose(tmp_);                                                       \
	} while (0)

/* out starts with the string literal lit. */
#define STARTS(out, lit) (strncmp((out), (lit), strlen(lit)) == 0)

#endif
