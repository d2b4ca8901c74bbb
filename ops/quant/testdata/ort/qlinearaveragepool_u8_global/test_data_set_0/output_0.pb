
ByJdhL