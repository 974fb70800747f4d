/* coro_switch_context(void **save_here, void *resume): the whole switch.
 *
 * System V x86-64: a function may change any register except rbx, rbp and
 * r12-r15 (callee-saved) and rsp, so those are all a coroutine must keep
 * across a switch; the caller of this function already saved the rest.
 * (The x87 and SSE control words are callee-saved too; the coroutines share
 * them with their thread on purpose, unlike swapcontext(), which saves them.
 * And a `ret` to another stack's return address works because no shadow
 * stack (Intel CET) is enabled for this program.)
 * rdi: where to store this coroutine's stack pointer; rsi: the stack
 * pointer of the coroutine to resume, as it stored it here. */
    .text
    .globl coro_switch_context
    .type coro_switch_context, @function
coro_switch_context:
    pushq %rbp              /* keep the callee-saved registers on our stack */
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)       /* *save_here = our stack pointer: we are parked */
    movq %rsi, %rsp         /* the switch: from here on, the other stack */
    popq %r15               /* its registers, as it pushed them */
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret                     /* to where it called coro_switch_context */
    .size coro_switch_context, .-coro_switch_context

/* A new coroutine's first "return" lands here (coro.c builds its stack so):
 * r12 holds the coroutine, and coro_start(it) never returns. */
    .globl coro_first_entry
    .type coro_first_entry, @function
coro_first_entry:
    movq %r12, %rdi
    call coro_start
    ud2                     /* not reached */
    .size coro_first_entry, .-coro_first_entry

    .section .note.GNU-stack,"",@progbits  /* this code needs no executable stack */
