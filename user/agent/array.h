/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growing arrays: room for one more element, doubling the capacity.
 */
#ifndef MLAG_ARRAY_H
#define MLAG_ARRAY_H

#include <errno.h>
#include <stdlib.h>

/*
 * Make room in *@items (capacity *@cap elements of @size bytes, @n used)
 * for element @n: 0, or -ENOMEM with the array unchanged.
 */
static inline int mlag_reserve(void **items, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if (c < *cap || c > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*items, c * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = c;
	return 0;
}

#endif /* MLAG_ARRAY_H */
