"""The composer's server side: drafts kept as a fan types, the preview, and whom "@" may
name. The pages' reply boxes are shared renders (the page cache), so a draft is never
drawn into a page: static/js/composer.js asks for it per reader and fills the box.

A place names one box: "reply:<thread id>", "thread:<board id>", "idea:new", and so on;
a fan has at most one draft per place, kept across devices until it is posted or emptied.
A post refused by the server keeps its text here too, with the reason, so the box it came
from shows both again (a reply on an idea's or meetup's page is refused on another URL).
"""
