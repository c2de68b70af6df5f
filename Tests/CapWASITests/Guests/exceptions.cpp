// C++ exceptions through destructors, nested try, rethrow and catch(...): throws at the N-th call
// of may_throw() (N = argv[1]), and every RAII object prints its destruction. Built with
// WebAssembly exception handling by build-exceptions.sh; ExceptionTests compares its output for
// each N with what `wasmtime run` printed (exceptions-wasmtime.txt).
#include <cstdio>
#include <cstdlib>
#include <string>
static int counter = 0, target = 0;
__attribute__((noinline)) int may_throw(int v){ if(++counter==target) throw v; return v+1; }
struct R { int id; int* self; R(int i):id(i){ self=&id; may_throw(i);} ~R(){ if(self!=&id){puts("CORRUPT");abort();} printf("~R%d\n", id);} };
struct S { std::string s; S(const char* c):s(c){ may_throw(1);} ~S(){ printf("~S %s\n", s.c_str()); } };
__attribute__((noinline)) int a1(int v){ R r1(1); if(v&1){ R r2(2); may_throw(v); } else { S s("x"); may_throw(v); } R r3(3); return may_throw(v)+r3.id; }
__attribute__((noinline)) int a2(int v){ R r1(10); try { R r2(11); may_throw(v); S s("y"); may_throw(v+1); } catch(int x){ printf("a2 caught %d\n",x); R r4(12); may_throw(x); } return may_throw(v); }
__attribute__((noinline)) int a3(int v){ R r1(20); for(int i=0;i<3;i++){ R r(21+i); try { if(may_throw(i)&1){ S s("z"); may_throw(i);} } catch(int){ R r9(29); if(i==1) throw; } } return 0; }
__attribute__((noinline)) int a4(int v){ R r1(30); auto t = std::string("abc") + std::to_string(may_throw(v)); R r2(31); throw may_throw((int)t.size()); }
__attribute__((noinline)) int a5(int v){ try { R a(40); try { R b(41); a4(v);} catch(...) { R c(42); may_throw(v); throw; } } catch(int x){ printf("a5 caught %d\n",x); R d(43); may_throw(x);} return 0; }
int main(int argc, char** argv){
  setvbuf(stdout, NULL, _IONBF, 0);
  target = argc>1 ? atoi(argv[1]) : 0;
  int (*fs[])(int) = {a1,a2,a3,a5};
  for (int k=0;k<4;k++) for (int v=0; v<3; v++) {
    try { printf("f%d(%d)=%d\n", k, v, fs[k](v)); } catch(int x){ printf("main caught %d\n", x); }
  }
  printf("calls %d\n", counter);
  return 0;
}
