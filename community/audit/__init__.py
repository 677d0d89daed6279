"""The staff audit log: role changes, refunds, campaign edits, F-code issues, data exports.

A domain package that imports nothing but the kernel and the web layer, so every other
package (accounts, the store) can write to it without an import loop.
"""
