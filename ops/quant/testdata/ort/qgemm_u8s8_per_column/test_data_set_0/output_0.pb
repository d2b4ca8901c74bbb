
ByJ7cH›©P,VnrQPZ