//! libxml2 documents and nodes: parsing, reading, serialising, canonicalizing.

use std::ffi::{c_char, c_int, c_long, c_void};
use std::marker::PhantomData;
use std::ptr;

use libxml::bindings as lx;
use xmlsec::bindings as xs;

use super::{c_len, c_string, cstr, init, take_xml_string};
use crate::error::{Error, Result};

/// A parsed libxml2 document; owned, freed on drop, confined to the creating thread.
pub(crate) struct Doc {
    pub(super) ptr: xs::xmlDocPtr,
    _not_send: PhantomData<*mut ()>,
}

impl Drop for Doc {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from xmlReadMemory, is non-NULL and is freed only here.
        unsafe { xs::xmlFreeDoc(self.ptr) }
    }
}

/// libxml2 parser options: no network, no DTD loading or entity substitution (not set), and
/// errors collected instead of printed.
const PARSE_OPTIONS: c_int = (xs::xmlParserOption_XML_PARSE_NONET
    | xs::xmlParserOption_XML_PARSE_NOERROR
    | xs::xmlParserOption_XML_PARSE_NOWARNING) as c_int;

impl Doc {
    /// Parses `bytes` (the caller has already refused DOCTYPEs and oversized input).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Doc> {
        init()?;
        let len = c_len("document", bytes.len())?;
        // SAFETY: the buffer is valid for `len` bytes during the call; NULL URL and encoding are
        // allowed; the returned pointer is checked before use.
        unsafe {
            xs::xmlResetLastError();
            let ptr = xs::xmlReadMemory(
                bytes.as_ptr() as *const c_char,
                len,
                ptr::null(),
                ptr::null(),
                PARSE_OPTIONS,
            );
            if ptr.is_null() {
                let err = xs::xmlGetLastError();
                return Err(if err.is_null() {
                    Error::Parse {
                        line: 0,
                        column: 0,
                        message: "unknown parser error".into(),
                    }
                } else {
                    Error::Parse {
                        line: (*err).line.max(0) as u32,
                        column: (*err).int2.max(0) as u32,
                        message: cstr((*err).message).trim_end().to_owned(),
                    }
                });
            }
            Ok(Doc {
                ptr,
                _not_send: PhantomData,
            })
        }
    }

    /// The document element.
    pub(crate) fn root(&self) -> Option<Node<'_>> {
        // SAFETY: `self.ptr` is a live document.
        Node::wrap(unsafe { xs::xmlDocGetRootElement(self.ptr) })
    }

    /// Serialises the document as UTF-8 with an XML declaration.
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out: *mut xs::xmlChar = ptr::null_mut();
        let mut size: c_int = 0;
        // SAFETY: live document; libxml2 allocates `out`, which is copied then freed.
        unsafe {
            xs::xmlDocDumpMemoryEnc(self.ptr, &mut out, &mut size, c"UTF-8".as_ptr());
            if out.is_null() || size < 0 {
                return Err(Error::Sign("serialising the document failed".into()));
            }
            let bytes = std::slice::from_raw_parts(out as *const u8, size as usize).to_vec();
            if let Some(free) = xs::xmlFree {
                free(out as *mut c_void);
            }
            Ok(bytes)
        }
    }

    /// Canonicalizes the whole document, or only `include` (that element and its descendants),
    /// leaving out `exclude` and its descendants (the enveloped-signature transform).
    pub(crate) fn c14n(
        &self,
        exclusive: bool,
        with_comments: bool,
        inclusive_prefixes: &[String],
        include: Option<Node<'_>>,
        exclude: Option<Node<'_>>,
    ) -> Result<Vec<u8>> {
        let prefixes = inclusive_prefixes
            .iter()
            .map(|p| c_string("inclusive namespace prefix", p))
            .collect::<Result<Vec<_>>>()?;
        let mut prefix_ptrs: Vec<*mut lx::xmlChar> = prefixes
            .iter()
            .map(|p| p.as_ptr() as *mut lx::xmlChar)
            .collect();
        prefix_ptrs.push(ptr::null_mut());
        let prefix_list = if prefixes.is_empty() {
            ptr::null_mut()
        } else {
            prefix_ptrs.as_mut_ptr()
        };
        let mode = if exclusive {
            lx::xmlC14NMode_XML_C14N_EXCLUSIVE_1_0
        } else {
            lx::xmlC14NMode_XML_C14N_1_0
        } as c_int;
        let mut sink: Box<Vec<u8>> = Box::default();
        let mut visibility = Visibility {
            include: include.map_or(ptr::null_mut(), |n| n.ptr as *mut c_void),
            exclude: exclude.map_or(ptr::null_mut(), |n| n.ptr as *mut c_void),
        };
        // SAFETY: `sink` outlives the output buffer (closed before return); the prefix list is
        // NULL-terminated and its strings outlive the call; the visibility callback only reads
        // node pointers of this live document; libxml2 and libxmlsec1 share one xmlDoc layout.
        unsafe {
            let buf = lx::xmlOutputBufferCreateIO(
                Some(sink_write),
                None,
                &mut *sink as *mut Vec<u8> as *mut c_void,
                ptr::null_mut(),
            );
            if buf.is_null() {
                return Err(Error::C14n("cannot allocate an output buffer".into()));
            }
            let (callback, user_data): (lx::xmlC14NIsVisibleCallback, *mut c_void) =
                if include.is_none() && exclude.is_none() {
                    (None, ptr::null_mut())
                } else {
                    (
                        Some(is_visible),
                        &mut visibility as *mut Visibility as *mut c_void,
                    )
                };
            let rc = lx::xmlC14NExecute(
                self.ptr as lx::xmlDocPtr,
                callback,
                user_data,
                mode,
                prefix_list,
                c_int::from(with_comments),
                buf,
            );
            let close_rc = lx::xmlOutputBufferClose(buf);
            if rc < 0 || close_rc < 0 {
                return Err(Error::C14n("libxml2 canonicalization failed".into()));
            }
        }
        Ok(*sink)
    }
}

unsafe extern "C" fn sink_write(ctx: *mut c_void, buf: *const c_char, len: c_int) -> c_int {
    if ctx.is_null() || buf.is_null() || len < 0 {
        return -1;
    }
    let sink = &mut *(ctx as *mut Vec<u8>);
    sink.extend_from_slice(std::slice::from_raw_parts(buf as *const u8, len as usize));
    len
}

/// The node-set of a canonicalization: inside `include` (when set) and outside `exclude`.
struct Visibility {
    include: *mut c_void,
    exclude: *mut c_void,
}

/// True when `node` is `ancestor` or lies below it.
unsafe fn within(mut node: lx::xmlNodePtr, ancestor: *mut c_void) -> bool {
    while !node.is_null() {
        if node as *mut c_void == ancestor {
            return true;
        }
        node = (*node).parent;
    }
    false
}

unsafe extern "C" fn is_visible(
    user_data: *mut c_void,
    node: lx::xmlNodePtr,
    parent: lx::xmlNodePtr,
) -> c_int {
    if node.is_null() || user_data.is_null() {
        return 0;
    }
    let v = &*(user_data as *const Visibility);
    // xmlNs, xmlAttr and xmlNode all keep `type` as their second field; a namespace node
    // belongs to the element passed as `parent`.
    let cur = if (*node).type_ == lx::xmlElementType_XML_NAMESPACE_DECL {
        parent
    } else {
        node
    };
    let included = v.include.is_null() || within(cur, v.include);
    let excluded = !v.exclude.is_null() && within(cur, v.exclude);
    c_int::from(included && !excluded)
}

/// A node of a live [`Doc`]; copyable, cannot outlive the document.
#[derive(Clone, Copy)]
pub(crate) struct Node<'d> {
    pub(super) ptr: xs::xmlNodePtr,
    _doc: PhantomData<&'d Doc>,
}

/// The kinds of node the crate cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Element,
    Text,
    Other,
}

/// An attribute copied out of the tree.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
    pub(crate) value: String,
}

impl<'d> Node<'d> {
    fn wrap(ptr: xs::xmlNodePtr) -> Option<Node<'d>> {
        (!ptr.is_null()).then_some(Node {
            ptr,
            _doc: PhantomData,
        })
    }

    pub(crate) fn same(&self, other: &Node<'_>) -> bool {
        ptr::eq(self.ptr, other.ptr)
    }

    pub(crate) fn kind(&self) -> NodeKind {
        // SAFETY: live node of a live document (lifetime 'd).
        match unsafe { (*self.ptr).type_ } {
            xs::xmlElementType_XML_ELEMENT_NODE => NodeKind::Element,
            xs::xmlElementType_XML_TEXT_NODE | xs::xmlElementType_XML_CDATA_SECTION_NODE => {
                NodeKind::Text
            }
            _ => NodeKind::Other,
        }
    }

    pub(crate) fn local_name(&self) -> String {
        // SAFETY: live node; name may be NULL (checked by cstr).
        unsafe { cstr((*self.ptr).name as *const c_char) }
    }

    pub(crate) fn namespace(&self) -> Option<String> {
        // SAFETY: live node; ns and href checked for NULL.
        unsafe {
            let ns = (*self.ptr).ns;
            if ns.is_null() || (*ns).href.is_null() {
                None
            } else {
                Some(cstr((*ns).href as *const c_char))
            }
        }
    }

    pub(crate) fn is(&self, namespace: &str, local_name: &str) -> bool {
        self.kind() == NodeKind::Element
            && self.namespace().as_deref() == Some(namespace)
            && self.local_name() == local_name
    }

    pub(crate) fn parent(&self) -> Option<Node<'d>> {
        // SAFETY: live node.
        let parent = Node::wrap(unsafe { (*self.ptr).parent });
        parent.filter(|p| p.kind() == NodeKind::Element)
    }

    pub(crate) fn first_child(&self) -> Option<Node<'d>> {
        // SAFETY: live node.
        Node::wrap(unsafe { (*self.ptr).children })
    }

    pub(crate) fn next_sibling(&self) -> Option<Node<'d>> {
        // SAFETY: live node.
        Node::wrap(unsafe { (*self.ptr).next })
    }

    /// Child elements in document order.
    pub(crate) fn element_children(&self) -> Vec<Node<'d>> {
        let mut out = Vec::new();
        let mut cur = self.first_child();
        while let Some(node) = cur {
            if node.kind() == NodeKind::Element {
                out.push(node);
            }
            cur = node.next_sibling();
        }
        out
    }

    /// Text content of the node and its descendants.
    pub(crate) fn text(&self) -> String {
        // SAFETY: live node; the result is copied and freed.
        unsafe { take_xml_string(xs::xmlNodeGetContent(self.ptr)) }.unwrap_or_default()
    }

    pub(crate) fn line(&self) -> u32 {
        // SAFETY: live node.
        let line: c_long = unsafe { xs::xmlGetLineNo(self.ptr) };
        u32::try_from(line).unwrap_or(0)
    }

    pub(crate) fn attributes(&self) -> Vec<Attr> {
        let mut out = Vec::new();
        if self.kind() != NodeKind::Element {
            return out;
        }
        // SAFETY: live element; attribute list, names and namespaces checked for NULL;
        // values are copied and freed.
        unsafe {
            let mut attr = (*self.ptr).properties;
            while !attr.is_null() {
                let ns = (*attr).ns;
                let namespace = if ns.is_null() || (*ns).href.is_null() {
                    None
                } else {
                    Some(cstr((*ns).href as *const c_char))
                };
                let value = take_xml_string(xs::xmlNodeListGetString(
                    (*self.ptr).doc,
                    (*attr).children,
                    1,
                ))
                .unwrap_or_default();
                out.push(Attr {
                    namespace,
                    name: cstr((*attr).name as *const c_char),
                    value,
                });
                attr = (*attr).next;
            }
        }
        out
    }

    /// Value of an attribute without namespace.
    pub(crate) fn attribute(&self, name: &str) -> Option<String> {
        self.attributes()
            .into_iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| a.value)
    }
}

impl Doc {
    /// Appends a deep copy of `fragment`'s document element as the last child of this
    /// document's element.
    pub(crate) fn append_copy_of_root(&mut self, fragment: &Doc) -> Result<()> {
        // SAFETY: both documents are live; `self` is borrowed exclusively (no Node alive); the
        // copy belongs to `self.ptr` and is either linked into its tree or freed.
        unsafe {
            let root = xs::xmlDocGetRootElement(self.ptr);
            let source = xs::xmlDocGetRootElement(fragment.ptr);
            if root.is_null() || source.is_null() {
                return Err(Error::Sign("missing document element".into()));
            }
            let copy = xs::xmlDocCopyNode(source, self.ptr, 1);
            if copy.is_null() {
                return Err(Error::Sign("cannot copy the signature element".into()));
            }
            if xs::xmlAddChild(root, copy).is_null() {
                xs::xmlFreeNode(copy);
                return Err(Error::Sign("cannot append the signature element".into()));
            }
        }
        Ok(())
    }
}
