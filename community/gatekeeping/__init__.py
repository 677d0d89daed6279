"""Spam at the door (issue 25): watched words, copy-paste floods and the approval queue.

A domain package: it screens every new post (forum/screening.py calls it), keeps the posts
it holds back until staff approve or reject them, and keeps the staff's watched words.
"""
