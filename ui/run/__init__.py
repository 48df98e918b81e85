"""One run in the page: ``live`` paints it as it streams, ``finished`` draws it (or its error)
once done, ``runner`` sends it, records it and keeps the last one for the next rerun."""
