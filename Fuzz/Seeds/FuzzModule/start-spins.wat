;; A start function that never ends: instantiation must stop at the fuel limit.
(module
  (func $spin (loop $l (br $l)))
  (start $spin)
  (func (export "_start")))
