## placeholder: filled by the Xen harness work
