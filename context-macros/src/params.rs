//! Which parameter is the request context (and which is `Next`), and the path generated code names the
//! facade by.
//!
//! The rule users are told (see `baton::handler`): the context parameter is the one whose type is
//! `Context`, `baton::Context` (or `<crate>::Context` with `crate = "path"`), or a `&`/`&mut` reference
//! to one of these, or the alias named with `context = Alias`. A path with any other prefix
//! (`tera::Context`, `minijinja::Context`) is never the request context: it is an ordinary parameter.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::{FnArg, Ident, Pat, Path, PathSegment, Type};

use crate::common::CtxMode;

/// How the macros recognise baton's types in a signature and name the facade in generated code.
#[derive(Clone, Default)]
pub struct Names {
    /// `crate = "path"`: where baton is reachable when it is re-exported under another name.
    pub krate: Option<Path>,
    /// `context = Ctx`: the name of a `use baton::Context as Ctx` alias.
    pub context_alias: Option<Ident>,
}

impl Names {
    /// The facade's path, `::baton` unless `crate = "path"` says otherwise.
    pub fn krate(&self) -> TokenStream {
        self.krate_at(Span::call_site())
    }

    /// The facade's path with the leading tokens spanned at `span`, so bounds naming it point at the
    /// user's key.
    pub fn krate_at(&self, span: Span) -> TokenStream {
        match &self.krate {
            Some(path) => path.to_token_stream(),
            None => quote_spanned!(span=> ::baton),
        }
    }

    /// The facade's macro-support module, spanned at `span`.
    pub fn private_at(&self, span: Span) -> TokenStream {
        let krate = self.krate_at(span);
        quote_spanned!(span=> #krate::__private_0_1)
    }

    /// The last segment of `ty` if it is baton's `Context` (by value or behind one reference).
    pub fn context<'a>(&self, ty: &'a Type) -> Option<(CtxMode, &'a PathSegment)> {
        self.find(ty, "Context", self.context_alias.as_ref())
    }

    /// The last segment of `ty` if it is baton's `Next`.
    pub fn next<'a>(&self, ty: &'a Type) -> Option<(CtxMode, &'a PathSegment)> {
        self.find(ty, "Next", None)
    }

    pub fn context_mut<'a>(&self, ty: &'a mut Type) -> Option<&'a mut PathSegment> {
        let alias = self.context_alias.clone();
        self.find_mut(ty, "Context", alias.as_ref())
    }

    pub fn next_mut<'a>(&self, ty: &'a mut Type) -> Option<&'a mut PathSegment> {
        self.find_mut(ty, "Next", None)
    }

    /// The names bound by the context parameters of `inputs` (`ctx`, `mut req`, ...): the receivers
    /// whose `get::<K>()` counts as a read.
    pub fn context_bindings<'a>(&self, inputs: impl IntoIterator<Item = &'a FnArg>) -> Vec<Ident> {
        inputs
            .into_iter()
            .filter_map(|input| match input {
                FnArg::Typed(typed) if self.context(&typed.ty).is_some() => match &*typed.pat {
                    Pat::Ident(pat) => Some(pat.ident.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    fn is_baton_path(&self, path: &Path, name: &str, alias: Option<&Ident>) -> bool {
        let segments: Vec<&PathSegment> = path.segments.iter().collect();
        let Some((last, prefix)) = segments.split_last() else {
            return false;
        };
        if prefix.iter().any(|segment| !segment.arguments.is_none()) {
            return false;
        }
        if prefix.is_empty() && path.leading_colon.is_none() {
            return last.ident == name || alias.is_some_and(|alias| last.ident == *alias);
        }
        if last.ident != name {
            return false;
        }
        let prefix: Vec<String> = prefix.iter().map(|s| s.ident.to_string()).collect();
        if prefix == ["baton"] {
            return true;
        }
        self.krate.as_ref().is_some_and(|krate| {
            krate.leading_colon.is_some() == path.leading_colon.is_some()
                && krate
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .eq(prefix.iter().cloned())
        })
    }

    fn find<'a>(
        &self,
        ty: &'a Type,
        name: &str,
        alias: Option<&Ident>,
    ) -> Option<(CtxMode, &'a PathSegment)> {
        match ty {
            Type::Path(path) if path.qself.is_none() => {
                if !self.is_baton_path(&path.path, name, alias) {
                    return None;
                }
                Some((CtxMode::Owned, path.path.segments.last()?))
            }
            Type::Reference(reference) => {
                let (mode, segment) = self.find(&reference.elem, name, alias)?;
                if mode != CtxMode::Owned {
                    return None;
                }
                let mode = if reference.mutability.is_some() {
                    CtxMode::Mut
                } else {
                    CtxMode::Shared
                };
                Some((mode, segment))
            }
            Type::Paren(paren) => self.find(&paren.elem, name, alias),
            Type::Group(group) => self.find(&group.elem, name, alias),
            _ => None,
        }
    }

    fn find_mut<'a>(
        &self,
        ty: &'a mut Type,
        name: &str,
        alias: Option<&Ident>,
    ) -> Option<&'a mut PathSegment> {
        match ty {
            Type::Path(path) if path.qself.is_none() => {
                if !self.is_baton_path(&path.path, name, alias) {
                    return None;
                }
                path.path.segments.last_mut()
            }
            Type::Reference(reference) => self.find_mut(&mut reference.elem, name, alias),
            Type::Paren(paren) => self.find_mut(&mut paren.elem, name, alias),
            Type::Group(group) => self.find_mut(&mut group.elem, name, alias),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_context(names: &Names, ty: Type) -> Option<CtxMode> {
        names.context(&ty).map(|(mode, _)| mode)
    }

    #[test]
    fn only_batons_context_is_the_context() {
        let names = Names::default();
        let owned = Some(CtxMode::Owned);
        assert_eq!(is_context(&names, syn::parse_quote!(Context)), owned);
        assert_eq!(is_context(&names, syn::parse_quote!(baton::Context)), owned);
        assert_eq!(
            is_context(&names, syn::parse_quote!(::baton::Context<P>)),
            owned
        );
        assert_eq!(
            is_context(&names, syn::parse_quote!(&mut baton::Context)),
            Some(CtxMode::Mut)
        );
        assert_eq!(is_context(&names, syn::parse_quote!(&&Context)), None);
        assert_eq!(is_context(&names, syn::parse_quote!(tera::Context)), None);
        assert_eq!(
            is_context(&names, syn::parse_quote!(&minijinja::Context)),
            None
        );
        assert_eq!(is_context(&names, syn::parse_quote!(Ctx)), None);
        assert_eq!(is_context(&names, syn::parse_quote!(String)), None);
    }

    #[test]
    fn an_alias_and_a_reexport_are_recognised_when_named() {
        let names = Names {
            krate: Some(syn::parse_quote!(web::baton)),
            context_alias: Some(syn::parse_quote!(Ctx)),
        };
        let owned = Some(CtxMode::Owned);
        assert_eq!(is_context(&names, syn::parse_quote!(Ctx)), owned);
        assert_eq!(
            is_context(&names, syn::parse_quote!(web::baton::Context)),
            owned
        );
        assert_eq!(is_context(&names, syn::parse_quote!(baton::Context)), owned);
        assert_eq!(is_context(&names, syn::parse_quote!(web::Context)), None);
        assert_eq!(is_context(&names, syn::parse_quote!(other::Ctx)), None);
    }
}
