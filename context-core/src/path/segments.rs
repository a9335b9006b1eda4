//! Reading a route's parameters straight off a path that matched it, without asking the matcher.
//!
//! matchit hands parameters out as `&str`s it re-validates as UTF-8 on every read, after a name
//! lookup. But where a parameter sits follows from the pattern: the static text between parameters is
//! matched byte for byte, a parameter ends its segment (matchit allows static text before one in a
//! segment, `/v{version}`, nothing after it), so its value runs to the next `/`, and a catch-all takes
//! the rest of the path. A path that matched `/users/{id}/files/{*rest}` holds `id` 7 bytes in, up to
//! its next `/`, then `rest` 7 bytes after that `/`: each value is sliced out of the path.

/// Where one parameter's value sits in a matching path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    /// Bytes of static text between the end of the previous value (or the start of the path) and this
    /// value.
    lead: usize,
    /// A catch-all: the value runs to the end of the path.
    rest: bool,
}

/// Where each of a route's parameters sits, in route order; see the [module docs](self).
#[derive(Debug)]
pub(super) struct Layout {
    places: Box<[Place]>,
}

impl Layout {
    /// The layout of `pattern`'s parameters named in `names`, or `None` when the pattern has escaped
    /// braces (`{{`, `}}`: one byte of path for two of pattern) or does not read as expected; the
    /// matcher's own parameters are read then.
    pub(super) fn of(pattern: &str, names: &[Box<str>]) -> Option<Layout> {
        if pattern.contains("{{") || pattern.contains("}}") {
            return None;
        }
        let mut places = Vec::new();
        let mut found = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}')?;
            let name = &rest[open + 1..close];
            let (name, catch_all) = match name.strip_prefix('*') {
                Some(name) => (name, true),
                None => (name, false),
            };
            // A scope's fallback is routing machinery, not a parameter (see `parameter_names`); it
            // is a catch-all, so nothing follows it.
            if name == "__baton_fallback" {
                break;
            }
            found.push(name);
            places.push(Place {
                lead: open,
                rest: catch_all,
            });
            rest = &rest[close + 1..];
            // matchit ends a parameter's segment with it (what follows is `/` or nothing), and a
            // catch-all the path.
            if rest.is_empty() {
                break;
            }
            if catch_all || !rest.starts_with('/') {
                return None;
            }
        }
        let same = found.len() == names.len()
            && found
                .iter()
                .zip(names)
                .all(|(found, name)| *found == &**name);
        same.then(|| Layout {
            places: places.into(),
        })
    }

    /// The values of a path that matched the layout's pattern, in route order.
    #[inline]
    pub(super) fn values<'p>(&self, path: &'p str) -> Values<'_, 'p> {
        Values {
            places: self.places.iter(),
            path,
            at: 0,
        }
    }
}

/// The values of one path: see [`Layout::values`]. Yields `None` if the path cannot have matched the
/// layout's pattern (then the caller asks the matcher).
pub(super) struct Values<'l, 'p> {
    places: std::slice::Iter<'l, Place>,
    path: &'p str,
    /// Where the previous value ended.
    at: usize,
}

impl<'p> Iterator for Values<'_, 'p> {
    type Item = Option<&'p str>;

    #[inline]
    fn next(&mut self) -> Option<Option<&'p str>> {
        let place = self.places.next()?;
        let from = self.at + place.lead;
        let Some(tail) = self.path.as_bytes().get(from..) else {
            return Some(None);
        };
        let len = match place.rest {
            true => tail.len(),
            false => tail
                .iter()
                .position(|&byte| byte == b'/')
                .unwrap_or(tail.len()),
        };
        self.at = from + len;
        Some(self.path.get(from..self.at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::parameter_names;

    /// What the layout reads from `path` beside what matchit reads, for a path that matches `pattern`.
    fn both(pattern: &str, path: &str) -> (Vec<String>, Vec<String>) {
        let names = parameter_names(pattern);
        let layout = Layout::of(pattern, &names).expect("a layout");
        let mut router = matchit::Router::new();
        router.insert(pattern, ()).unwrap();
        let matched = router.at(path).expect("the path matches");
        let ours = layout
            .values(path)
            .map(|value| value.expect("in the path").to_string())
            .collect();
        let theirs = names
            .iter()
            .map(|name| matched.params.get(name).unwrap().to_string())
            .collect();
        (ours, theirs)
    }

    #[test]
    fn values_are_the_matchers() {
        for (pattern, path) in [
            ("/users/{id}", "/users/42"),
            ("/users/{id}/", "/users/42/"),
            ("/users/{user}/posts/{post}", "/users/ada/posts/7"),
            ("/files/{*path}", "/files/a/b%20c.txt"),
            ("/files/{user}/{*path}", "/files/ada/notes/a/b"),
            ("/v{version}/items/{id}", "/v2/items/x%2Fy"),
            ("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5"),
            ("/é/{name}", "/é/ünï"),
            ("/{*rest}", "/a//b/"),
            ("/api/{*__baton_fallback}", "/api/x/y"),
        ] {
            let (ours, theirs) = both(pattern, path);
            assert_eq!(ours, theirs, "{pattern} against {path}");
        }
    }

    #[test]
    fn escaped_braces_leave_it_to_the_matcher() {
        let names = parameter_names("/a/{{x}}/{id}");
        assert!(Layout::of("/a/{{x}}/{id}", &names).is_none());
        assert!(Layout::of("/static/only", &parameter_names("/static/only")).is_some());
    }

    #[test]
    fn a_path_of_another_shape_reads_as_none() {
        let names = parameter_names("/users/{id}/posts/{post}");
        let layout = Layout::of("/users/{id}/posts/{post}", &names).unwrap();
        let values: Vec<_> = layout.values("/users/42").collect();
        assert_eq!(values, [Some("42"), None]);
    }
}
